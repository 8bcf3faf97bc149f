import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'bin', 'pvestack.js');

function pvestack(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pvestack validate (subprocess)', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-cli-validate-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('reports production valid against the pinned schema, as stable JSON', () => {
    const r = pvestack('validate', 'production', '--out', out, '--json', '--no-terraform');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toEqual({
      ok: true,
      environments: [
        {
          environment: 'production',
          file: path.relative(ROOT, path.join(out, 'stacks', 'production', 'cdk.tf.json')),
          errors: 0,
          warnings: 0,
          findings: [],
          terraform: { status: 'skipped', detail: 'skipped: --no-terraform', diagnostics: [] },
        },
      ],
    });
  });

  it('prints a one-line verdict, and the terraform step never fails the run when it cannot install the provider', () => {
    const r = pvestack('validate', 'production', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: 1 environment against bpg\/proxmox 0\.111\.1 \(0 errors, 0 warnings\)$/m);
    expect(r.stdout).toMatch(/^ {2}terraform: (skipped: .*|\S+ validate: valid.*)$/m);
  });

  it('exits 2 for an unknown environment', () => {
    const r = pvestack('validate', 'nope', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown environment "nope"');
  });
});
