import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
/** Not project source: dependencies, build output, generated bindings, tests, docs. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'test', 'docs', 'cdktf.out', 'coverage']);

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !(dir === '' && NOT_SOURCE.has(e.name)))
    .flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) return sources(rel);
      return /\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
    });
}

/**
 * Modules allowed to load a YAML parser, and why: each reads YAML that people wrote, never YAML
 * the project rendered. Renderers and writers of files only `stringify`, which this test allows.
 */
const PARSES_USER_YAML: Readonly<Record<string, string>> = {
  'model/load.ts': 'loads the environment spec files people write',
  'cluster/import/render.ts': "merges imported guests into the user's own spec file (mergeImport), keeping its comments",
};

/** What loading a YAML parser looks like: a parse function or class imported, the whole module, or a require/import(). */
function loadsYamlParser(text: string): boolean {
  for (const m of text.matchAll(/^import\s+(?!type\b)([^;]*?)\s+from\s+['"]yaml(\/[\w/-]+)?['"]/gm)) {
    const clause = m[1]!;
    if (!clause.includes('{')) return true; // default or namespace import: the parser comes with it
    const names = clause
      .slice(clause.indexOf('{') + 1, clause.lastIndexOf('}'))
      .split(',')
      .map((n) => n.trim())
      .filter((n) => !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0]!);
    if (names.some((n) => /^(parse|parseDocument|parseAllDocuments|Parser|Composer|Lexer|YAML)$/.test(n))) return true;
  }
  return /\b(require|import)\(\s*['"]yaml(\/[\w/-]+)?['"]\s*\)/.test(text);
}

describe('typed data is never rendered to YAML and parsed back', () => {
  const modules = sources('');

  it('scans the whole source tree', () => {
    expect(modules).toEqual(expect.arrayContaining(['diff/artifacts.ts', 'deploy/release.ts', 'templates/compose/render-compose.ts', 'model/load.ts']));
    for (const f of Object.keys(PARSES_USER_YAML)) expect(modules, f).toContain(f);
  });

  it('no module outside the allow-list loads a YAML parser: the renderers and writers stringify, everyone else reads the typed model', () => {
    const parsers = modules.filter((file) => loadsYamlParser(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    const unexpected = parsers.filter((f) => !(f in PARSES_USER_YAML));
    expect(
      unexpected,
      `${unexpected.join(', ')} load(s) a YAML parser: read the renderers' typed model (RenderedStack, serviceFacts) instead of parsing YAML the project rendered`,
    ).toEqual([]);
    // The allow-list stays as short as it can be: an entry that no longer parses goes.
    expect(parsers.sort()).toEqual(Object.keys(PARSES_USER_YAML).sort());
  });

  it.each([
    ["import { parse } from 'yaml';", true],
    ["import { parseDocument as p, stringify } from 'yaml';", true],
    ["import * as YAML from 'yaml';", true],
    ["import YAML from 'yaml';", true],
    ["const y = require('yaml');", true],
    ["const y = await import('yaml');", true],
    ["import { stringify } from 'yaml';", false],
    ["import { Parser } from 'yaml/parse-cst';", true],
    ["import { stringifyString } from 'yaml/util';", false],
    ["import type { Document, LineCounter } from 'yaml';", false],
    ["import { Document, isMap, type Node } from 'yaml';", false],
  ])('recognizes %s as loading a parser: %s', (text, parses) => {
    expect(loadsYamlParser(text)).toBe(parses);
  });

  /** Everything that consumes rendered stacks: the deployer, --dry-run, the Pulumi program, up/down, lock, diff. */
  const consumers = [
    ...sources('deploy'),
    ...sources('diff'),
    'bin/commands/deploy.ts',
    'bin/commands/up.ts',
    'bin/commands/down.ts',
    'bin/commands/lock.ts',
    'bin/commands/diff.ts',
  ];
  it.each(consumers)("%s reads the renderers' typed stack, not their YAML (it loads no YAML library)", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    expect(text).not.toMatch(/from\s+'yaml'|require\('yaml'\)/);
  });
});
