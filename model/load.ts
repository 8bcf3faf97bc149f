/**
 * Loading specs from files. TypeScript modules export a spec object; YAML and JSON files hold
 * the same structure. Either way the value goes through `validateEnvironment` exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { Environment } from './environment';
import { InvalidSpecError, SpecError, UsageError } from './errors';
import { LineIndex, scanJson } from './json-source';
import { rememberLocations } from './locations';
import { loadSpecModule } from './spec-module';
import { emptyFileError, jsonSyntaxError, yamlSyntaxError } from './syntax-errors';
import { validateEnvironment } from './validate';

/** The YAML library, loaded on first use: commands given registered TypeScript specs never need it. */
const yamlLib = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

/** Splits `guests[3].disks[0].datastore` into `['guests', 3, 'disks', 0, 'datastore']`. */
export function splitPath(specPath: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of specPath.split('.')) {
    const m = /^([^[]*)((\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * Parses and validates YAML text (JSON text too, though `parseEnvironmentJson` reads it faster).
 * Syntax errors and spec errors both carry `file:line:column`; the validated environment
 * remembers where each path was written, so check findings can point into the file too.
 */
export function parseEnvironmentYaml(text: string, file: string): Environment {
  if (path.extname(file) === '.json') {
    const json = jsonSyntaxError(text, file);
    if (json) throw new InvalidSpecError(file, [json]);
  }
  const { LineCounter, parseDocument, YAMLParseError } = yamlLib();
  const lineCounter = new LineCounter();
  // logLevel 'error': a key that is a list or object is reported below as a spec error, instead of
  // the library printing a Node warning about `mapAsMap` that means nothing to a spec's author.
  // uniqueKeys false: the library compares every key of a mapping with every other one (252 s
  // for a 5 MB mapping); duplicateKey() below finds the same mistake in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  const duplicate = doc.errors.length === 0 ? duplicateKey(doc) : undefined;
  const errors = duplicate === undefined ? doc.errors : [new YAMLParseError([duplicate, duplicate + 1], 'DUPLICATE_KEY', 'Map keys must be unique')];
  if (errors.length > 0) throw new InvalidSpecError(file, [yamlSyntaxError(errors, text, lineCounter, file)]);
  if (doc.contents === null) throw new InvalidSpecError(file, [emptyFileError(file)]);
  const complexKey = collectionKey(doc);
  if (complexKey) {
    const pos = lineCounter.linePos(complexKey);
    throw new InvalidSpecError(file, [
      new SpecError(
        '',
        'is not valid here: a key is a list or an object',
        'Keys are plain names followed by a colon; a list item starts with "- " on its own line.',
      ).withLocation(`${file}:${pos.line}:${pos.col}`),
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to an anchor that is not defined (yet), or an alias bomb: still a YAML problem.
    const pos = lineCounter.linePos(doc.contents?.range?.[0] ?? 0);
    throw new InvalidSpecError(file, [
      new SpecError(
        '',
        `is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
        'Define each anchor (&name) before its alias (*name), and use aliases sparingly.',
      ).withLocation(`${file}:${pos.line}:${pos.col}`),
    ]);
  }
  let env: Environment;
  try {
    env = validateEnvironment(value, file);
  } catch (err) {
    // Only the reported problems (at most MAX_REPORTED_PROBLEMS) are located; the count stays.
    if (err instanceof InvalidSpecError)
      throw new InvalidSpecError(
        file,
        err.errors.map((e) => locate(e, doc, lineCounter, file)),
        err.total,
      );
    throw err;
  }
  return rememberLocations(env, (specPath) => locate(new SpecError(specPath, '', ''), doc, lineCounter, file).location);
}

/** Offset of the first key that repeats within its mapping, with one Set per mapping. */
function duplicateKey(doc: Document): number | undefined {
  const { isMap, isScalar, isSeq } = yamlLib();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value)) return pair.key.range?.[0] ?? 0;
          seen.add(pair.key.value);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return undefined;
}

/** Offset of the first mapping key that is a list or an object (`[a, b]: c`), if any. */
function collectionKey(doc: Document): number | undefined {
  const { isCollection, visit } = yamlLib();
  let found: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        found = pair.key.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Parses and validates JSON text with `JSON.parse` (the YAML parser takes many times longer on a
 * large file). Syntax errors, repeated keys and spec errors carry `file:line:column`, and the
 * environment remembers where each path was written, as YAML specs do.
 */
export function parseEnvironmentJson(text: string, file: string): Environment {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidSpecError(file, [jsonSyntaxError(text, file) ?? new SpecError('', 'is not valid JSON', 'Fix the JSON syntax.').withLocation(file)]);
  }
  if (text.trim() === '') throw new InvalidSpecError(file, [emptyFileError(file)]);
  const lines = new LineIndex(text);
  const scan = scanJson(text);
  if (scan.duplicateKey) {
    const d = scan.duplicateKey;
    throw new InvalidSpecError(file, [
      new SpecError(d.path, 'repeats a key of the same object', 'Keep one of them: JSON readers silently drop all but the last.').withLocation(
        `${file}:${lines.position(d.offset)}`,
      ),
    ]);
  }
  /** `file:line:col` of each path, or of its nearest written parent (a missing field's object). */
  const locator = (offsets: ReadonlyMap<string, number>) => (specPath: string) => {
    const where = prefixes(specPath)
      .reverse()
      .find((p) => offsets.has(p));
    return where === undefined ? undefined : `${file}:${lines.position(offsets.get(where)!)}`;
  };
  let env: Environment;
  try {
    env = validateEnvironment(value, file);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    const locate = locator(scanJson(text, new Set(err.errors.flatMap((e) => prefixes(e.path)))).offsets);
    throw new InvalidSpecError(
      file,
      err.errors.map((e) => {
        const location = locate(e.path);
        return location === undefined ? e : e.withLocation(location);
      }),
      err.total,
    );
  }
  // Check findings ask for a few paths; the offsets of every path are collected on the first ask.
  let all: ((specPath: string) => string | undefined) | undefined;
  return rememberLocations(env, (specPath) => (all ??= locator(scanJson(text, 'all').offsets))(specPath));
}

/** `guests[3].ipv4` → `['', 'guests', 'guests[3]', 'guests[3].ipv4']`, as the validator writes paths. */
function prefixes(specPath: string): string[] {
  const out = [''];
  let current = '';
  for (const part of splitPath(specPath)) {
    current = typeof part === 'number' ? `${current}[${part}]` : current ? `${current}.${part}` : part;
    out.push(current);
  }
  return out;
}

function locate(error: SpecError, doc: Document, lines: LineCounter, file: string): SpecError {
  const { isNode } = yamlLib();
  const parts = splitPath(error.path);
  // A missing field has no node of its own: point at the object that lacks it.
  for (let n = parts.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return error.withLocation(`${file}:${pos.line}:${pos.col}`);
    }
  }
  return error;
}

/**
 * Loads an environment from a `.yaml`/`.yml`/`.json` file or a TypeScript/JavaScript module that
 * exports the spec as `default` or `spec`.
 */
export function loadEnvironmentFile(file: string): Environment {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UsageError(`spec file ${file} does not exist`, 'Check the path.');
  const ext = path.extname(abs);
  if (ext === '.yaml' || ext === '.yml') return parseEnvironmentYaml(fs.readFileSync(abs, 'utf8'), file);
  if (ext === '.json') return parseEnvironmentJson(fs.readFileSync(abs, 'utf8'), file);
  if (['.ts', '.js', '.cjs', '.mts'].includes(ext)) return loadSpecModule(file, abs);
  throw new UsageError(`cannot read a spec from ${file}`, 'Use a .yaml, .yml, .json or .ts file.');
}
