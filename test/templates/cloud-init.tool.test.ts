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
import { runMany } from '../support/python-cli';

const hasTool = spawnSync('cloud-init', ['--version']).status === 0;
if (!hasTool) console.warn('\n!!! cloud-init not found: skipping `cloud-init schema` tests (apt-get install cloud-init; CI installs it) !!!\n');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-cloud-init-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface CheckResult {
  readonly status: number;
  readonly output: string;
}

function write(name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** `cloud-init schema --config-file FILE` as its own process. */
function schemaCheck(name: string, text: string): Promise<CheckResult> {
  const file = write(name, text);
  return new Promise((resolve) =>
    execFile('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
}

/** The real CLI's entry point on every case, from one interpreter (see python-cli.ts). */
async function checkAll(items: readonly (readonly [string, string])[]): Promise<Map<string, CheckResult>> {
  const files = items.map(([name, text]) => write(`batch-${name.replace(/\//g, '-')}`, text));
  const results = await runMany(
    'cloud-init',
    files.map((file) => ['schema', '--config-file', file]),
  );
  return new Map(items.map(([name], i) => [name, { status: results[i]!.code, output: results[i]!.output }]));
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
    // As its own process, and among valid files in one batch (the batch path fails too).
    const batch = await checkAll([cases[0]!, ['broken', broken], cases[0]!]);
    for (const r of [await schemaCheck('broken', broken), batch.get('broken')!]) {
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/schema errors/i);
      expect(r.output).toMatch(/lock_passwd|packages/);
    }
    expect(batch.get(cases[0]![0])!.status).toBe(0);
  });

  it('rejects user-data without the #cloud-config header', async () => {
    const [, text] = cases[0]!;
    expect((await schemaCheck('no-header', text.replace('#cloud-config\n', ''))).status).not.toBe(0);
  });
});
