import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSecret, loadSynthesized } from '../../../checks';
import { SECRET_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

const webEnv = (vars: Record<string, string>) => (s: Draft) => Object.assign(s.guests[1].stacks[0].env, vars);
// Assembled at run time so that this file does not itself look like it holds a token.
const GITHUB_TOKEN = ['ghp', 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5'].join('_');
const HF_TOKEN = ['hf', 'QwErTyUiOpAsDfGhJkLzXcVbNm1234567890'].join('_');

describe('secret rules', () => {
  it('the base fixture has no secret findings (public SSH keys are not secrets)', () => {
    const e = env();
    for (const rule of SECRET_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, (s: Draft) => void, string, string]>([
    ['a GitHub token in an env value', webEnv({ GH: GITHUB_TOKEN }), 'guests[1].stacks[0].env.GH', 'looks like a GitHub token'],
    ['a Hugging Face token', webEnv({ HF: HF_TOKEN }), 'guests[1].stacks[0].env.HF', 'looks like a Hugging Face token'],
    [
      'a literal password under a secret-looking name',
      webEnv({ DB_PASSWORD: 'hunter2hunter2' }),
      'guests[1].stacks[0].env.DB_PASSWORD',
      'environment variable DB_PASSWORD has a literal value (14 characters)',
    ],
    [
      'a password in a URL',
      webEnv({ DATABASE_URL: 'postgres://app:s3cretpw@10.0.0.20:5432/app' }),
      'guests[1].stacks[0].env.DATABASE_URL',
      'looks like a password in a URL',
    ],
    ['an AWS access key id', webEnv({ AWS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }), 'guests[1].stacks[0].env.AWS_KEY_ID', 'looks like an AWS access key id'],
    [
      'a private key anywhere in the spec',
      (s) => (s.connections[0].description = '-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjE='),
      'connections[0].description',
      'looks like a private key',
    ],
    [
      'a password assignment in a command',
      (s) => (s.guests[1].stacks[0] = { kind: 'worker', image: 'x/y:1', command: ['run', '--password=Sup3rS3cret'] }),
      'guests[1].stacks[0].command[1]',
      'looks like a password assignment',
    ],
  ])('%s → PVE-SEC-001', (_name, edit, p, text) => {
    const found = findings(env(edit), 'PVE-SEC-001');
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(p);
    expect(found[0]!.message).toContain(text);
  });

  it('never repeats the secret in the finding', () => {
    const [f] = findings(env(webEnv({ GH: GITHUB_TOKEN })), 'PVE-SEC-001');
    expect(JSON.stringify(f)).not.toContain(GITHUB_TOKEN);
  });

  // What a finding may print of a match: the kind's harmless prefix, never a character of the secret.
  it.each([
    ['postgres://app:Qz9Wv7Kp@db:5432/app', 'postgres://app:…@'],
    ['--password=Sup3rS3cret', 'password=…'],
    [GITHUB_TOKEN, 'ghp_…'],
    ['AKIAIOSFODNN7EXAMPLE', 'AKIA…'],
  ])('masks %s as %s', (text, masked) => {
    expect(findSecret(text)!.masked).toBe(masked);
  });

  it('shows no part of a literal password in a URL', () => {
    const [f] = findings(env(webEnv({ DATABASE_URL: 'postgres://app:Qz9Wv7Kp@db:5432/app' })), 'PVE-SEC-001');
    expect(f!.message).toBe('looks like a password in a URL: "postgres://app:…@"');
    for (const part of ['Qz', 'Kp', '7K', 'p@']) expect(JSON.stringify(f)).not.toContain(part);
  });

  it.each(['${DB_PASSWORD}', '$DB_PASSWORD', '{{ vault_db_password }}'])('references are not literal secrets: password=%s', (ref) => {
    expect(findSecret(`password=${ref}`)).toBeUndefined();
  });

  it('a random-looking env value is a warning (PVE-SEC-002)', () => {
    const [f] = findings(env(webEnv({ BUILD_SALT: 'q8Zr2LmX9vTn4KpW7sYb3HcJ' })), 'PVE-SEC-002');
    expect(f!.severity).toBe('warning');
    expect(f!.message).toBe('environment variable BUILD_SALT holds a 24-character high-entropy value (not shown)');
  });

  it('an undocumented secret is a warning (PVE-SEC-003) and an unused one information (PVE-SEC-004)', () => {
    const e = env((s) => (s.secrets['spare'] = { env: 'APP_SPARE', description: 'spare' }));
    expect(findings(e, 'PVE-SEC-003').map((f) => [f.path, f.severity])).toEqual([['secrets.spare.description', 'warning']]);
    expect(findings(e, 'PVE-SEC-004').map((f) => [f.path, f.severity])).toEqual([['secrets.spare', 'info']]);
  });

  describe('synthesized output (PVE-SEC-005)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-checks-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'artifacts', 'llm', 'vllm'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: {} }));
    fs.writeFileSync(path.join(dir, 'artifacts', 'llm', 'vllm', 'compose.yaml'), `services:\n  vllm:\n    environment:\n      HF_TOKEN: ${HF_TOKEN}\n`);
    fs.writeFileSync(path.join(dir, 'artifacts', 'llm', 'vllm', 'clean.yaml'), 'services:\n  vllm:\n    env_file: [secrets.env]\n');

    it('reports the file and line of a secret-looking value', () => {
      const found = findings(env(), 'PVE-SEC-005', { synthDir: dir });
      expect(found.map((f) => f.path)).toEqual(['synthesized:artifacts/llm/vllm/compose.yaml:4']);
      expect(found[0]!.message).toContain('looks like a Hugging Face token');
      expect(found[0]!.message).not.toContain(HF_TOKEN);
    });

    it('loads every file of the directory', () => {
      expect(loadSynthesized(dir).files.map((f) => f.path)).toEqual(['artifacts/llm/vllm/clean.yaml', 'artifacts/llm/vllm/compose.yaml', 'cdk.tf.json']);
    });
  });
});
