import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import type { RenderedStack } from '../../templates/artifacts';
import { renderEnvironment } from '../../templates/render';
import { describeWithTools, scratchDir } from '../support/tools';

const execFileP = promisify(execFile);

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

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/** Loads each file with docker-compose 1.29's config loader and prints {file: error} as JSON. */
const BATCH_CONFIG = `
import json, sys
from compose.cli.command import get_config_from_options
bad = {}
for f in sys.argv[1:]:
    try:
        get_config_from_options('.', {'--file': [f]}, {'--no-interpolate': False})
    except Exception as e:
        bad[f] = getattr(e, 'msg', None) or repr(e)
print(json.dumps(bad))
`;

/** The Python interpreter docker-compose runs with (its shebang), which can import \`compose\`. */
function composePython(): string {
  const script = fs.realpathSync(execFileSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).trim());
  return fs.readFileSync(script, 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').split(' ')[0]!;
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
    for (const [guest, stacks] of renderEnvironment(loadEnvironment('dev'), { gpu: false, cpuStubImage: 'local/stub:1' })) for (const s of stacks) add(`dev-cpu/${guest}/${s.name}`, s);
    expect(files.size).toBeGreaterThan(10);
    // One interpreter for all files: docker-compose's own config loader (what `config -q` runs);
    // ~1 s of Python start-up per file would otherwise dominate the suite.
    const { stdout } = await execFileP(composePython(), ['-c', BATCH_CONFIG, ...files.values()], { maxBuffer: 16 * 1024 * 1024 });
    const failures = Object.entries(JSON.parse(stdout) as Record<string, string>).map(([f, e]) => `${path.relative(scratch.dir, f)}: ${e}`);
    expect(failures).toEqual([]);
  }, 120_000);

  it('the docker-compose CLI accepts the dev stacks (what `pvestack up dev` runs)', async () => {
    const stacks = [...renderEnvironment(loadEnvironment('dev')).values()].flat();
    const failures = (
      await pool(stacks, 4, async (s) => {
        const file = materialize(scratch.dir, `cli/${s.name}`, s);
        try {
          await execFileP('docker-compose', ['-f', file, 'config', '-q']);
          return undefined;
        } catch (err) {
          return `${s.name}: ${(err as { stderr?: string }).stderr ?? String(err)}`;
        }
      })
    ).filter(Boolean);
    expect(stacks.length).toBe(4);
    expect(failures).toEqual([]);
  }, 60_000);

  it('rejects a broken file (the check is real)', async () => {
    const file = path.join(scratch.dir, 'broken.yaml');
    fs.writeFileSync(file, 'services:\n  a:\n    image: x:1\n    depends_on:\n      b:\n        condition: service_healthy\n');
    await expect(execFileP('docker-compose', ['-f', file, 'config', '-q'])).rejects.toThrow(/undefined/);
    const { stdout } = await execFileP(composePython(), ['-c', BATCH_CONFIG, file]);
    expect(JSON.parse(stdout)[file]).toMatch(/undefined/);
  });
});
