import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../stacks/registry';
import { smallSpecYaml } from '../../fixtures/specs';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'pvestack.js');

/** Runs the real CLI in a child process, as a user would. */
function pvestack(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', PVESTACK_DEBUG: '' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Guest names a synthesized document creates: VM `name`s and container host names. */
function guestNames(doc: { resource?: Record<string, Record<string, any>> }): string[] {
  const vms = Object.values(doc.resource?.proxmox_virtual_environment_vm ?? {}).map((r) => r.name as string);
  const cts = Object.values(doc.resource?.proxmox_virtual_environment_container ?? {}).map(
    (r) => (Array.isArray(r.initialization) ? r.initialization[0] : r.initialization)?.hostname as string,
  );
  return [...vms, ...cts].sort();
}

describe('pvestack synth (subprocess)', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-cli-synth-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('synthesizes production with every Proxmox guest of the environment', () => {
    const r = pvestack('synth', 'production', '--out', out);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'production', 'cdk.tf.json'), 'utf8'));
    const expected = loadEnvironment('production')
      .guests.filter((g) => g.kind !== 'external')
      .map((g) => g.name)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(9);
    expect(guestNames(doc)).toEqual(expected);
    expect(r.stdout).toContain('production');
  });

  it('prints a JSON summary with --json', () => {
    const r = pvestack('synth', 'production', '--out', out, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.stacks.map((s: { environment: string }) => s.environment)).toEqual(['production']);
  });

  it('rejects a bad spec file with exit 2, every field path with its location, and no stack trace', () => {
    const file = path.join(out, 'bad-env.yaml');
    fs.writeFileSync(file, smallSpecYaml().replace('ipv4: 10.30.0.10\n', 'ipv4: 10.30.0.10/24\n').replace('cores: 8\n', 'cores: eight\n'));
    const r = pvestack('synth', file, '--out', path.join(out, 'bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('guests[1].ipv4: must be an address without a prefix length (got "10.30.0.10/24")');
    expect(r.stderr).toMatch(/bad-env\.yaml:\d+:\d+: guests\[2\]\.cores: must be a number \(vCPU\), not a string \(got "eight"\)/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(fs.existsSync(path.join(out, 'bad', 'stacks'))).toBe(false);
  });

  it('reports a bad spec as JSON with --json', () => {
    const file = path.join(out, 'bad-env.yaml');
    const r = pvestack('synth', file, '--out', path.join(out, 'bad'), '--json');
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout);
    expect(body).toEqual(expect.objectContaining({ ok: false, error: 'InvalidSpec' }));
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['guests[1].ipv4', 'guests[2].cores']));
  });
});
