import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from '../../pipeline';
import { prepared } from '../support/pipeline';
import type { Environment } from '../../model';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

/** Credentials the provider, backends and deployer read from the environment at run time. */
const RUNTIME_CREDENTIALS = [
  'PROXMOX_VE_API_TOKEN',
  'PROXMOX_VE_PASSWORD',
  'PROXMOX_VE_USERNAME',
  'PROXMOX_VE_ENDPOINT',
  'PROXMOX_VE_SSH_PASSWORD',
  'PROXMOX_VE_SSH_PRIVATE_KEY',
  'PROXMOX_VE_AUTH_TICKET',
  'PROXMOX_VE_CSRF_PREVENTION_TOKEN',
  'PG_CONN_STR',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'TF_HTTP_PASSWORD',
];

/** Every file below `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('synthesized output carries no secret values', () => {
  const canaries = new Map<string, string>();
  const saved = new Map<string, string | undefined>();
  let outdir: string;
  let envs: Environment[];

  beforeAll(() => {
    envs = environmentNames().map(loadEnvironment);
    const names = new Set([...RUNTIME_CREDENTIALS, ...envs.flatMap((e) => Object.values(e.secrets).map((s) => s.env))]);
    let n = 0;
    for (const name of names) {
      // Distinct, unmistakable values: a canary found in the output can only have come from the environment.
      const value = `canary${++n}-${name.toLowerCase()}-Zq7x`;
      canaries.set(name, value);
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-no-secrets-'));
    // synthesizeApp writes cdk.tf.json and the rendered artifacts, as `pvestack synth` does.
    synthesizeApp(prepared(envs), { outdir });
  });

  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('sets a canary for every secret each environment declares', () => {
    const declared = envs.flatMap((e) => Object.values(e.secrets).map((s) => s.env));
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) expect(process.env[name]).toBe(canaries.get(name));
  });

  it('writes a stack for every environment', () => {
    for (const e of envs) expect(fs.existsSync(path.join(outdir, 'stacks', e.name, 'cdk.tf.json'))).toBe(true);
    // The scan must cover the rendered artifacts (compose files, env templates, cloud-init) too.
    expect(filesUnder(outdir).some((f) => f.includes(`${path.sep}artifacts${path.sep}`))).toBe(true);
  });

  it('finds no canary in any file of the output tree', () => {
    const files = filesUnder(outdir);
    expect(files.length).toBeGreaterThanOrEqual(envs.length);
    const leaks: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'latin1');
      for (const [name, value] of canaries) if (text.includes(value)) leaks.push(`${path.relative(outdir, file)} contains the value of ${name}`);
    }
    expect(leaks).toEqual([]);
  });

  it('writes no credential attribute into the provider block', () => {
    for (const e of envs) {
      const doc = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', e.name, 'cdk.tf.json'), 'utf8')) as {
        provider?: { proxmox?: Record<string, unknown>[] };
      };
      for (const config of doc.provider?.proxmox ?? []) {
        for (const key of ['api_token', 'password', 'auth_ticket', 'csrf_prevention_token', 'endpoint', 'username']) expect(config).not.toHaveProperty(key);
      }
    }
  });
});
