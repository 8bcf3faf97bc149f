/**
 * Real tool: every rendered user-data of every registered environment passes Debian's
 * `cloud-init schema --config-file`, and a deliberately broken one fails it.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCloudInit } from '../../templates/cloud-init';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import { pool } from '../support/tools';

const hasTool = spawnSync('cloud-init', ['--version']).status === 0;
if (!hasTool) console.warn('\n!!! cloud-init not found: skipping `cloud-init schema` tests (apt-get install cloud-init; CI installs it) !!!\n');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-cloud-init-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface CheckResult {
  readonly status: number;
  readonly output: string;
}

function schemaCheck(name: string, text: string): Promise<CheckResult> {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, text);
  return new Promise((resolve) =>
    execFile('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
}

/** Runs the real CLI on every case, two at a time (the machine has two cores). */
async function checkAll(items: readonly (readonly [string, string])[]): Promise<Map<string, CheckResult>> {
  const results = await pool(items, 2, ([name, text]) => schemaCheck(`batch-${name.replace(/\//g, '-')}`, text));
  return new Map(items.map(([name], i) => [name, results[i]!]));
}

const cases = environmentNames().flatMap((name) => {
  const env = loadEnvironment(name);
  return env.guests.filter((g) => g.kind === 'vm').map((g) => [`${name}/${g.name}`, renderCloudInit(env, g)] as const);
});

(hasTool ? describe : describe.skip)('cloud-init schema', () => {
  let results = new Map<string, CheckResult>();
  beforeAll(async () => {
    results = await checkAll(cases);
  }, 300_000);

  it('has user-data to check', () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(cases.map(([name]) => name))('%s is valid cloud-config', (name) => {
    const r = results.get(name)!;
    expect(r.output).toContain('Valid cloud-config');
    expect(r.status).toBe(0);
  });

  it('rejects a broken user-data (the check is not a no-op)', async () => {
    const [, text] = cases[0]!;
    const broken = text.replace('lock_passwd: true', 'lock_passwd: "yes"').replace(/^packages:\n( {2}- .*\n)+/m, 'packages: qemu-guest-agent\n');
    expect(broken).not.toBe(text);
    const r = await schemaCheck('broken', broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/schema errors/i);
    expect(r.output).toMatch(/lock_passwd|packages/);
  });

  it('rejects user-data without the #cloud-config header', async () => {
    const [, text] = cases[0]!;
    expect((await schemaCheck('no-header', text.replace('#cloud-config\n', ''))).status).not.toBe(0);
  });
});
