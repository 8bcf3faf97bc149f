/**
 * Renderers are pure functions from the typed spec to text (STYLE.md, example 5): no file system,
 * process, environment, clock or randomness inside. Whatever a renderer needs from the disk or the
 * process, its caller (an executor or a writer of files) reads and passes in. This test pins it for
 * every module of the renderer folders, so a disk read cannot creep back in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');

/** The renderers: every module under these folders, plus single renderer modules elsewhere. */
const RENDERER_DIRS = ['templates', 'graph'];
const RENDERER_FILES = ['cluster/import/render.ts', 'diff/markdown.ts', 'diff/terminal.ts', 'diff/unified.ts'];

/**
 * Modules allowed an impure import, each with why. Empty today: keep it that way unless a renderer
 * cannot take the value from its caller, and then say here why not.
 */
const ALLOWED: Readonly<Record<string, string>> = {};

const IMPURE: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a Node.js I/O module', pattern: /from\s*['"](node:)?(fs|fs\/promises|child_process|os|net|http|https|dgram|worker_threads|process)['"]/ },
  { what: 'require() (a hidden dependency)', pattern: /\brequire\(/ },
  { what: 'the process environment or working directory', pattern: /\bprocess\.(env|cwd|argv|platform)\b/ },
  { what: 'the clock', pattern: /\bDate\.now\(|\bnew Date\(\s*\)|\bperformance\.now\(/ },
  { what: 'randomness', pattern: /\bMath\.random\(|\brandomBytes\(|\brandomUUID\(/ },
];

function modules(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? modules(path.posix.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.posix.join(dir, e.name)] : []));
}

/**
 * The code of a module with comments removed and string contents emptied: a healthcheck's
 * `process.exit` inside a template string is text for a container, not a call made here.
 */
function code(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i) - 1;
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) + 1;
    else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      // Import specifiers stay: they name the modules a renderer loads.
      out += /\bfrom\s*$/.test(out) ? text.slice(i, j + 1) : `${c}${c}`;
      i = j;
    } else out += c;
  }
  return out;
}

const renderers = [...RENDERER_DIRS.flatMap(modules), ...RENDERER_FILES].sort();

describe('renderers are pure: the caller passes in what they need', () => {
  it('finds the renderer modules', () => {
    expect(renderers.length).toBeGreaterThan(30);
    for (const f of [...RENDERER_FILES, ...Object.keys(ALLOWED)]) expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
  });

  it.each(renderers)('%s reads no disk, environment, clock or randomness', (file) => {
    const text = code(fs.readFileSync(path.join(ROOT, file), 'utf8'));
    const found = IMPURE.filter((i) => i.pattern.test(text)).map((i) => i.what);
    if (ALLOWED[file]) return;
    expect(found, `${file} uses ${found.join(', ')}: move that to its caller and pass the value in`).toEqual([]);
  });

  it('the pattern catches what it is meant to catch', () => {
    const hits = (src: string) => IMPURE.filter((i) => i.pattern.test(code(src))).map((i) => i.what);
    expect(hits("import * as fs from 'node:fs';")).toEqual(['a Node.js I/O module']);
    expect(hits("import { readFileSync } from 'fs';")).toEqual(['a Node.js I/O module']);
    expect(hits('import { spawnSync } from "node:child_process";')).toEqual(['a Node.js I/O module']);
    expect(hits('const x = process.env.HOME;')).toEqual(['the process environment or working directory']);
    expect(hits('const t = Date.now();')).toEqual(['the clock']);
    expect(hits('const t = Math.random();')).toEqual(['randomness']);
    expect(hits("const m = require('x');")).toEqual(['require() (a hidden dependency)']);
    expect(hits('const s = `process.exit(1)`; // Date.now()')).toEqual([]);
  });
});
