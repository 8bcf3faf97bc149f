/**
 * Writing artifacts again: unchanged files are left alone (a second synth of a large environment
 * costs a read per file), changed ones are rewritten, and nothing the spec no longer renders stays.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactsDir, writeArtifacts } from '../../pipeline';
import { composeFactsFile } from '../../pipeline/artifacts';
import { serviceFacts } from '../../templates/compose/service-facts';
import { renderEnvironment } from '../../templates/render';
import { loadEnvironment } from '../../stacks/registry';
import { scratchDir } from '../support/tools';

/** Every file under `dir` with its bytes, relative and sorted. */
function tree(dir: string): [string, string][] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
}

describe('writeArtifacts into an existing tree', () => {
  const { dir, cleanup } = scratchDir('pvestack-artifacts-');
  afterAll(cleanup);
  const env = loadEnvironment('production');
  const root = artifactsDir(dir, env.name);

  it('writes the same tree as into an empty directory, touching only what differs', () => {
    writeArtifacts(dir, env);
    const fresh = tree(root);
    const compose = path.join(root, 'db', 'postgres', 'compose.yaml');
    const edited = path.join(root, 'web-1', 'nextjs', 'compose.yaml');
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    fs.utimesSync(compose, old, old);
    fs.writeFileSync(edited, 'edited by hand\n');
    fs.chmodSync(path.join(root, 'db', 'cloud-init', 'user-data.yaml'), 0o600);
    fs.mkdirSync(path.join(root, 'gone', 'postgres'), { recursive: true });
    fs.writeFileSync(path.join(root, 'gone', 'postgres', 'compose.yaml'), 'a guest the spec no longer has\n');
    fs.writeFileSync(path.join(root, 'db', 'postgres', 'stale.conf'), 'a file the stack no longer renders\n');

    writeArtifacts(dir, env);
    expect(tree(root)).toEqual(fresh);
    expect(fs.statSync(compose).mtimeMs).toBe(old.getTime());
    expect(fs.statSync(path.join(root, 'db', 'cloud-init', 'user-data.yaml')).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(fs.existsSync(path.join(root, 'gone'))).toBe(false);
  });

  it('keeps the typed facts of every compose file beside the tree, for pvestack diff', () => {
    writeArtifacts(dir, env);
    const file = composeFactsFile(dir, env.name);
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const expected = Object.fromEntries(
      [...renderEnvironment(env)].flatMap(([guest, stacks]) => stacks.map((s) => [`${guest}/${s.name}/${s.composeFile}`, serviceFacts(s)])),
    );
    expect(written).toEqual(expected);
    expect(Object.keys(written).every((rel) => fs.existsSync(path.join(root, rel)))).toBe(true);
    // Unchanged facts are not rewritten.
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    fs.utimesSync(file, old, old);
    writeArtifacts(dir, env);
    expect(fs.statSync(file).mtimeMs).toBe(old.getTime());
  });
});
