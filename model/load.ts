/**
 * Loading specs from files. TypeScript modules export a spec object; YAML and JSON files hold
 * the same structure. Either way the value goes through `validateEnvironment` exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isCollection, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { Environment } from './environment';
import { InvalidSpecError, SpecError, UsageError } from './errors';
import { rememberLocations } from './locations';
import { loadSpecModule } from './spec-module';
import { emptyFileError, jsonSyntaxError, yamlSyntaxError } from './syntax-errors';
import { validateEnvironment } from './validate';

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
 * Parses and validates YAML (or JSON) text. Syntax errors and spec errors both carry
 * `file:line:column`; the validated environment remembers where each path was written, so check
 * findings can point into the file too.
 */
export function parseEnvironmentYaml(text: string, file: string): Environment {
  if (path.extname(file) === '.json') {
    const json = jsonSyntaxError(text, file);
    if (json) throw new InvalidSpecError(file, [json]);
  }
  const lineCounter = new LineCounter();
  // logLevel 'error': a key that is a list or object is reported below as a spec error, instead of
  // the library printing a Node warning about `mapAsMap` that means nothing to a spec's author.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) throw new InvalidSpecError(file, [yamlSyntaxError(doc.errors, text, lineCounter, file)]);
  if (doc.contents === null) throw new InvalidSpecError(file, [emptyFileError(file)]);
  const complexKey = collectionKey(doc);
  if (complexKey) {
    const pos = lineCounter.linePos(complexKey);
    throw new InvalidSpecError(file, [
      new SpecError('', 'is not valid here: a key is a list or an object', 'Keys are plain names followed by a colon; a list item starts with "- " on its own line.').withLocation(`${file}:${pos.line}:${pos.col}`),
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to an anchor that is not defined (yet), or an alias bomb: still a YAML problem.
    const pos = lineCounter.linePos(doc.contents?.range?.[0] ?? 0);
    throw new InvalidSpecError(file, [new SpecError('', `is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Define each anchor (&name) before its alias (*name), and use aliases sparingly.').withLocation(`${file}:${pos.line}:${pos.col}`)]);
  }
  let env: Environment;
  try {
    env = validateEnvironment(value, file);
  } catch (err) {
    if (err instanceof InvalidSpecError) throw new InvalidSpecError(file, err.errors.map((e) => locate(e, doc, lineCounter, file)));
    throw err;
  }
  return rememberLocations(env, (specPath) => locate(new SpecError(specPath, '', ''), doc, lineCounter, file).location);
}

/** Offset of the first mapping key that is a list or an object (`[a, b]: c`), if any. */
function collectionKey(doc: Document): number | undefined {
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

function locate(error: SpecError, doc: Document, lines: LineCounter, file: string): SpecError {
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
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') return parseEnvironmentYaml(fs.readFileSync(abs, 'utf8'), file);
  if (['.ts', '.js', '.cjs', '.mts'].includes(ext)) return loadSpecModule(file, abs);
  throw new UsageError(`cannot read a spec from ${file}`, 'Use a .yaml, .yml, .json or .ts file.');
}
