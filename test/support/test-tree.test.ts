/**
 * The test tree mirrors the source tree: the tests of `deploy/plan.ts` are under `test/deploy/`,
 * those of `checks/rules/gpu.ts` under `test/checks/rules/`. Helpers live in `test/support/` (and
 * a folder's own `support/`), shared inputs in `test/fixtures/`. A test file whose directory has
 * no source counterpart, or that is named after a module of a subdirectory while sitting above
 * it, fails here with the place it belongs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const TEST = path.join(ROOT, 'test');
/** Folders of test/ that hold helpers and inputs, not tests of a source folder. */
const NOT_MIRRORED = new Set(['support', 'fixtures', '__snapshots__']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/**
 * Tests at the root of test/, each with why: they test files at the root of the repository.
 * (A dot folder under test/ would hide them from vitest's default glob.)
 */
const AT_ROOT: Readonly<Record<string, string>> = {
  'workflows.test.ts': 'tests .github/workflows/, the CI workflows users copy',
};

function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return NOT_MIRRORED.has(e.name) ? [] : walk(path.join(dir, e.name), r);
    return /\.test\.(ts|mts)$/.test(e.name) ? [r] : [];
  });
}

/** Source modules under a repository folder, relative to the repository (no tests, no build output). */
function sourcesUnder(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
    const r = `${dir}/${e.name}`;
    return e.isDirectory() ? sourcesUnder(r) : SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [r] : [];
  });
}

/** Where a test file belongs, or undefined when it is where it belongs. */
function misplaced(testFile: string): string | undefined {
  const dir = path.posix.dirname(testFile);
  if (dir === '.')
    return AT_ROOT[testFile] ? undefined : 'a test at the root of test/ tests no source folder: move it (git mv) to the test folder of the code it tests';
  const sources = sourcesUnder(dir);
  if (sources.length === 0) return `there is no source folder ${dir}/: move it (git mv) to test/<folder of the code it tests>/`;
  const stem = path.posix.basename(testFile).replace(/(\.tool)?\.test\.m?ts$/, '');
  const own = sources.filter((s) => path.posix.dirname(s) === dir);
  if (own.some((s) => path.posix.basename(s).replace(SOURCE, '') === stem) || fs.existsSync(path.join(ROOT, dir, stem))) return undefined;
  const deeper = sources.filter((s) => path.posix.basename(s).replace(SOURCE, '') === stem);
  if (deeper.length > 0) return `it is named after ${deeper.join(', ')}: move it (git mv) to test/${path.posix.dirname(deeper[0]!)}/`;
  return undefined;
}

describe('the test tree mirrors the source tree', () => {
  const tests = walk(TEST);

  it('finds the tests', () => {
    expect(tests.length).toBeGreaterThan(100);
    for (const f of Object.keys(AT_ROOT)) expect(tests).toContain(f);
  });

  it('every test file sits in the test folder of the source folder it tests', () => {
    const wrong = tests.flatMap((t) => {
      const why = misplaced(t);
      return why ? [`test/${t}: ${why}`] : [];
    });
    expect(wrong, `\n${wrong.join('\n')}\n`).toEqual([]);
  });

  it.each([
    ['deploy/plan.test.ts', undefined],
    ['deploy/happy-path.tool.test.ts', undefined],
    ['nowhere/plan.test.ts', 'there is no source folder nowhere/'],
    ['stray.test.ts', 'a test at the root of test/'],
    ['checks/gpu.test.ts', 'it is named after checks/rules/gpu.ts: move it (git mv) to test/checks/rules/'],
  ])('judges test/%s', (file, why) => {
    const found = misplaced(file);
    if (why === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(why);
  });
});
