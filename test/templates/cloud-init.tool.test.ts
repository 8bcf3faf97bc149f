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

/**
 * The interpreter cloud-init runs under (its script's shebang), so the batch check below imports
 * the very modules the CLI uses.
 */
function cloudInitPython(): string {
  const script = spawnSync('sh', ['-c', 'command -v cloud-init'], { encoding: 'utf8' }).stdout.trim();
  const shebang = fs.readFileSync(script, 'utf8').split('\n')[0]!;
  return shebang.startsWith('#!') ? shebang.slice(2).trim().split(/\s+/)[0]! : 'python3';
}

/**
 * What `cloud-init schema --config-file F` does for each F (`handle_schema_args`: get_schema,
 * validate_cloudconfig_file, "Valid cloud-config: F" or the error), in one interpreter instead of
 * one ~0.5-2 s Python start-up per file. The CLI itself is exercised on the cases below.
 */
const BATCH = `
import json, sys
from cloudinit.config.schema import SchemaValidationError, get_schema, validate_cloudconfig_file
schema = get_schema()
for path in sys.argv[1:]:
    try:
        validate_cloudconfig_file(path, schema, False)
        print("PVESTACK-RESULT", json.dumps({"file": path, "status": 0, "output": "Valid cloud-config: " + path}))
    except (SchemaValidationError, RuntimeError) as e:
        print("PVESTACK-RESULT", json.dumps({"file": path, "status": 1, "output": "Error: " + str(e)}))
`;

function checkAll(items: readonly (readonly [string, string])[]): Map<string, CheckResult> {
  const files = items.map(([name, text]) => {
    const file = path.join(dir, `batch-${name.replace(/\//g, '-')}.yaml`);
    fs.writeFileSync(file, text);
    return [name, file] as const;
  });
  const r = spawnSync(cloudInitPython(), ['-c', BATCH, ...files.map(([, f]) => f)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cloud-init schema batch failed: ${r.stderr}`);
  // cloud-init prints deprecation notes on stdout too; results carry a marker.
  const byFile = new Map(r.stdout.split('\n').filter((line) => line.startsWith('PVESTACK-RESULT ')).map((line) => JSON.parse(line.slice('PVESTACK-RESULT '.length)) as CheckResult & { file: string }).map((x) => [x.file, x]));
  return new Map(files.map(([name, file]) => [name, byFile.get(file)!]));
}

const cases = environmentNames().flatMap((name) => {
  const env = loadEnvironment(name);
  return env.guests.filter((g) => g.kind === 'vm').map((g) => [`${name}/${g.name}`, renderCloudInit(env, g)] as const);
});

(hasTool ? describe : describe.skip)('cloud-init schema', () => {
  let results = new Map<string, CheckResult>();
  beforeAll(() => {
    results = checkAll(cases);
  }, 120_000);

  it('has user-data to check', () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(cases.map(([name]) => name))('%s is valid cloud-config', (name) => {
    const r = results.get(name)!;
    expect(r.output).toContain('Valid cloud-config');
    expect(r.status).toBe(0);
  });

  it('the cloud-init CLI itself accepts a rendered user-data', async () => {
    const [name, text] = cases[0]!;
    const r = await schemaCheck(name.replace(/\//g, '-'), text);
    expect(r.output).toContain('Valid cloud-config');
    expect(r.status).toBe(0);
  });

  it('rejects a broken user-data (the check is not a no-op)', async () => {
    const [, text] = cases[0]!;
    const broken = text.replace('lock_passwd: true', 'lock_passwd: "yes"').replace(/^packages:\n(  - .*\n)+/m, 'packages: qemu-guest-agent\n');
    expect(broken).not.toBe(text);
    const r = await schemaCheck('broken', broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/schema errors/i);
    // The batch check reaches the same verdict.
    expect(checkAll([['broken-batch', broken]]).get('broken-batch')).toMatchObject({ status: 1, output: expect.stringMatching(/lock_passwd|packages/) });
  });

  it('rejects user-data without the #cloud-config header', async () => {
    const [, text] = cases[0]!;
    expect((await schemaCheck('no-header', text.replace('#cloud-config\n', ''))).status).not.toBe(0);
  });
});
