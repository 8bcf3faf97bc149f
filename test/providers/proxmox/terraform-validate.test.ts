import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTerraformBinary,
  initArgv,
  parseValidateJson,
  runTerraformValidate,
  summarizeFailure,
  terraformEnv,
  validateArgv,
} from '../../../providers/proxmox/terraform-validate';

// What terraform 1.11 prints when the registry cannot be reached (captured on a machine without access).
const REGISTRY_DOWN = `
Initializing provider plugins...
- Finding bpg/proxmox versions matching "0.111.1"...
╷
│ Error: Failed to query available provider packages
│
│ Could not retrieve the list of available versions for provider bpg/proxmox:
│ could not connect to registry.terraform.io: failed to request discovery
│ document: Get "https://registry.terraform.io/.well-known/terraform.json":
│ dial tcp: lookup registry.terraform.io: no such host
╵
`;

describe('terraform command builders', () => {
  it('initialises without a backend and without prompts', () => {
    expect(initArgv()).toEqual(['init', '-backend=false', '-input=false', '-no-color']);
  });

  it('validates with JSON output', () => {
    expect(validateArgv()).toEqual(['validate', '-json', '-no-color']);
  });

  it("turns off checkpoint calls and prompts but keeps the caller's mirror settings", () => {
    const env = terraformEnv({ PATH: '/bin', TF_PLUGIN_CACHE_DIR: '/cache', CHECKPOINT_DISABLE: undefined, TF_INPUT: '1' });
    expect(env).toEqual({ PATH: '/bin', TF_PLUGIN_CACHE_DIR: '/cache', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
  });

  it('prefers tofu over terraform, searching PATH in order', () => {
    const present = new Set([path.join('/b', 'terraform'), path.join('/c', 'tofu')]);
    const found = (p: string) => findTerraformBinary(p, (f) => present.has(f));
    expect(found(['/a', '/b', '/c'].join(path.delimiter))).toBe(path.join('/c', 'tofu'));
    expect(found(['/a', '/b'].join(path.delimiter))).toBe(path.join('/b', 'terraform'));
    expect(found('/a')).toBeUndefined();
  });
});

describe('terraform output parsers', () => {
  it('summarises a boxed init error in one line', () => {
    const line = summarizeFailure(REGISTRY_DOWN);
    expect(line).not.toContain('\n');
    expect(
      line.startsWith('Error: Failed to query available provider packages — Could not retrieve the list of available versions for provider bpg/proxmox:'),
    ).toBe(true);
    expect(line.length).toBeLessThanOrEqual(160);
  });

  it('reads validate -json diagnostics with their location', () => {
    const stdout = JSON.stringify({
      format_version: '1.0',
      valid: false,
      error_count: 1,
      warning_count: 0,
      diagnostics: [
        {
          severity: 'error',
          summary: 'Unsupported argument',
          detail: 'An argument named "on_bot" is not expected here.',
          range: { filename: 'cdk.tf.json', start: { line: 40, column: 9 } },
        },
      ],
    });
    expect(parseValidateJson(stdout)).toEqual({
      valid: false,
      diagnostics: [
        { severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "on_bot" is not expected here.', location: 'cdk.tf.json:40,9' },
      ],
    });
    expect(parseValidateJson('{"valid":true,"diagnostics":[]}')).toEqual({ valid: true, diagnostics: [] });
  });

  it('treats output that is not JSON as a failure', () => {
    expect(parseValidateJson('panic: oops')).toEqual({ valid: false, diagnostics: [expect.objectContaining({ severity: 'error', detail: 'panic: oops' })] });
  });
});

describe('runTerraformValidate with a stand-in binary', () => {
  let dir: string;
  let stackDir: string;
  // A shell script playing terraform: init's and validate's behaviour come from environment variables.
  const fake = (name: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      `#!/bin/sh\necho "$@" >> "$FAKE_LOG"\nls >> "$FAKE_LOG"\ncase "$1" in\n  init) printf '%s' "$FAKE_INIT_OUT" >&2; exit "$FAKE_INIT_RC";;\n  validate) printf '%s' "$FAKE_VALIDATE_OUT"; [ "$FAKE_VALID" = yes ] && exit 0 || exit 1;;\nesac\n`,
      { mode: 0o755 },
    );
    return file;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-fake-tf-'));
    stackDir = path.join(dir, 'stack');
    fs.mkdirSync(path.join(stackDir, 'artifacts'), { recursive: true });
    fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), '{}');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const env = (over: Record<string, string>) => ({
    PATH: process.env.PATH,
    FAKE_LOG: path.join(dir, 'log'),
    FAKE_INIT_RC: '0',
    FAKE_INIT_OUT: '',
    FAKE_VALIDATE_OUT: '',
    FAKE_VALID: 'yes',
    ...over,
  });

  it('skips with one line when init cannot install the provider', async () => {
    const r = await runTerraformValidate(stackDir, { binary: fake('terraform'), env: env({ FAKE_INIT_RC: '1', FAKE_INIT_OUT: REGISTRY_DOWN }) });
    expect(r.status).toBe('skipped');
    expect(r.detail).toMatch(/^skipped: terraform init -backend=false failed, so validate did not run \(Error: Failed to query available provider packages/);
    expect(r.detail).not.toContain('\n');
  });

  it('runs init then validate in a scratch copy holding only the *.tf.json files', async () => {
    fs.rmSync(path.join(dir, 'log'), { force: true });
    const r = await runTerraformValidate(stackDir, { binary: fake('tofu'), env: env({ FAKE_VALIDATE_OUT: '{"valid":true,"diagnostics":[]}' }) });
    expect(r).toEqual({ status: 'passed', detail: 'tofu validate: valid', diagnostics: [] });
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8')).toBe(`${initArgv().join(' ')}\ncdk.tf.json\n${validateArgv().join(' ')}\ncdk.tf.json\n`);
    expect(fs.readdirSync(stackDir).sort()).toEqual(['artifacts', 'cdk.tf.json']);
  });

  it("fails with terraform's diagnostics when validate says the configuration is invalid", async () => {
    const out = JSON.stringify({ valid: false, diagnostics: [{ severity: 'error', summary: 'Missing required argument', detail: 'node_name is required' }] });
    const r = await runTerraformValidate(stackDir, { binary: fake('terraform'), env: env({ FAKE_VALIDATE_OUT: out, FAKE_VALID: 'no' }) });
    expect(r).toEqual({
      status: 'failed',
      detail: 'terraform validate: 1 error',
      diagnostics: [{ severity: 'error', summary: 'Missing required argument', detail: 'node_name is required', location: null }],
    });
  });

  it('skips when neither tofu nor terraform is on PATH', async () => {
    expect(await runTerraformValidate(stackDir, { env: { PATH: path.join(dir, 'empty') } })).toEqual({
      status: 'skipped',
      detail: 'skipped: no tofu or terraform on PATH',
      diagnostics: [],
    });
  });
});
