import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import type { RenderedStack } from '../../templates/artifacts';
import { renderEnvironment } from '../../templates/render';
import { composeConfig, composeConfigAll } from '../support/compose-config';
import { describeWithTools, pool, scratchDir } from '../support/tools';

/** Writes a stack as the deployer would, with empty env files (compose `config` needs them to exist). */
function materialize(root: string, id: string, stack: RenderedStack): string {
  const dir = path.join(root, id);
  for (const f of stack.files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.content);
  }
  for (const f of stack.secretFiles) fs.writeFileSync(path.join(dir, f.path), '');
  return path.join(dir, 'compose.yaml');
}

describeWithTools('rendered compose files pass docker-compose config', ['docker-compose'], () => {
  const scratch = scratchDir('pvestack-compose-');
  afterAll(() => scratch.cleanup());

  it('every stack of every registered environment (and the no-GPU variant of dev)', async () => {
    const files = new Map<string, string>(); // compose body (without the header) → file, so identical stacks run once
    const add = (id: string, stack: RenderedStack) => {
      const body = stack.files.find((f) => f.path === 'compose.yaml')!.content.replace(/^#.*\n/gm, '');
      const key = `${body}\n${stack.files.map((f) => f.path).join(',')}`;
      if (!files.has(key)) files.set(key, materialize(scratch.dir, id, stack));
    };
    for (const name of environmentNames())
      for (const [guest, stacks] of renderEnvironment(loadEnvironment(name))) for (const s of stacks) add(`${name}/${guest}/${s.name}`, s);
    for (const [guest, stacks] of renderEnvironment(loadEnvironment('dev'), { gpu: false, cpuStubImage: 'local/stub:1' }))
      for (const s of stacks) add(`dev-cpu/${guest}/${s.name}`, s);
    expect(files.size).toBeGreaterThan(10);
    // The real CLI's entry point on every distinct file, in one interpreter (see compose-config.ts).
    const results = await composeConfigAll([...files.values()]);
    const failures = [...results].filter(([, error]) => error !== undefined).map(([f, error]) => `${path.relative(scratch.dir, f)}: ${error}`);
    expect(results.size).toBe(files.size);
    expect(failures).toEqual([]);
  }, 300_000);

  it('the docker-compose CLI accepts the dev stacks (what `pvestack up dev` runs)', async () => {
    const stacks = [...renderEnvironment(loadEnvironment('dev')).values()].flat();
    const failures = (
      await pool(stacks, 2, async (s) => {
        const error = await composeConfig(materialize(scratch.dir, `cli/${s.name}`, s));
        return error === undefined ? undefined : `${s.name}: ${error}`;
      })
    ).filter(Boolean);
    expect(stacks.length).toBe(4);
    expect(failures).toEqual([]);
  });

  it('rejects a broken file (the check is real), as one process and among valid files in one interpreter', async () => {
    const file = path.join(scratch.dir, 'broken.yaml');
    fs.writeFileSync(file, 'services:\n  a:\n    image: x:1\n    depends_on:\n      b:\n        condition: service_healthy\n');
    const valid = path.join(scratch.dir, 'valid.yaml');
    fs.writeFileSync(valid, 'services:\n  a:\n    image: x:1\n');
    expect(await composeConfig(file)).toMatch(/Service 'a' depends on service 'b' which is undefined/);
    const batch = await composeConfigAll([valid, file, valid]);
    expect(batch.get(valid)).toBeUndefined();
    expect(batch.get(file)).toMatch(/Service 'a' depends on service 'b' which is undefined/);
  });
});
