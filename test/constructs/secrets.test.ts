import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from '../../pipeline';
import { prepared } from '../support/pipeline';
import { renderCloudInit } from '../../templates/cloud-init';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('no secret value reaches synthesized output or cloud-init', () => {
  const envs = environmentNames().map(loadEnvironment);
  const canaries = new Map<string, string>();
  for (const env of envs) for (const [name, secret] of Object.entries(env.secrets)) canaries.set(secret.env, `CANARY-${name}-7f3a9c1e`);
  const saved = new Map([...canaries.keys()].map((k) => [k, process.env[k]]));
  let outdir = '';

  beforeAll(() => {
    for (const [variable, value] of canaries) process.env[variable] = value;
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-secrets-'));
  });
  afterAll(() => {
    for (const [k, v] of saved)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('the environments reference secrets to test with', () => {
    expect(canaries.size).toBeGreaterThan(3);
  });

  it('synthesized files hold no canary', () => {
    synthesizeApp(prepared(envs), { outdir });
    const files = filesUnder(outdir);
    expect(files.some((f) => f.endsWith('cdk.tf.json'))).toBe(true);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const canary of canaries.values()) expect(text.includes(canary), `${canary} in ${path.relative(outdir, file)}`).toBe(false);
    }
  });

  it('rendered cloud-init holds no canary', () => {
    for (const env of envs)
      for (const guest of env.guests.filter((g) => g.kind === 'vm')) {
        const text = renderCloudInit(env, guest);
        for (const canary of canaries.values()) expect(text.includes(canary), `${canary} in ${env.name}/${guest.name}`).toBe(false);
      }
  });
});
