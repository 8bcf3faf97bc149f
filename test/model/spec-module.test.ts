/**
 * Loading a user's TypeScript spec from the compiled CLI code (dist/, as `pvestack` runs it, in a
 * child process: vitest has a TypeScript loader of its own): tsx's hooks are registered for the
 * spec's own files only, and gone once the spec is loaded, whether it loaded or threw.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scratchDir } from '../support/tools';

const DIST_SPEC_MODULE = path.resolve(__dirname, '../../dist/model/spec-module.js');
const scratch = scratchDir('pvestack-spec-module-');
afterAll(() => scratch.cleanup());

function loadInChild(source: string): { hooksDuring: string; hooksAfter: string; error: string } {
  const file = path.join(scratch.dir, `spec-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, source);
  const script = `
    const { loadSpecModule } = require(${JSON.stringify(DIST_SPEC_MODULE)});
    let error = '';
    try { loadSpecModule('spec.ts', ${JSON.stringify(file)}); } catch (e) { error = e.constructor.name; }
    console.log(JSON.stringify({ hooksDuring: String(globalThis.__hooksDuring), hooksAfter: String(Boolean(require.extensions['.ts'])), error }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { hooksDuring: string; hooksAfter: string; error: string };
}

it('a spec that loads: the TypeScript hooks were there while it loaded, and are gone afterwards', () => {
  const r = loadInChild("(globalThis as any).__hooksDuring = Boolean(require.extensions['.ts']);\nexport default {};\n");
  expect(r).toEqual({ hooksDuring: 'true', hooksAfter: 'false', error: 'InvalidSpecError' });
});

it('a spec that throws: the hooks are gone as well', () => {
  const r = loadInChild("(globalThis as any).__hooksDuring = Boolean(require.extensions['.ts']);\nthrow new Error('no');\n");
  expect(r).toEqual({ hooksDuring: 'true', hooksAfter: 'false', error: 'InvalidSpecError' });
});
