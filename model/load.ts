/**
 * Loading specs from files. TypeScript modules export a spec object; YAML and JSON files hold
 * the same structure. Either way the value goes through `validateEnvironment` exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { Environment } from './environment';
import { InvalidSpecError, SpecError, UsageError } from './errors';
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

/** Parses and validates YAML text. Syntax errors and spec errors both carry `file:line:column`. */
export function parseEnvironmentYaml(text: string, file: string): Environment {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InvalidSpecError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return new SpecError('', `is not valid YAML: ${e.message.split('\n')[0]}`, 'Fix the YAML syntax at that line.').withLocation(`${file}:${pos.line}:${pos.col}`);
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to an anchor that is not defined (yet), or an alias bomb: still a YAML problem.
    const pos = lineCounter.linePos(doc.contents?.range?.[0] ?? 0);
    throw new InvalidSpecError(file, [new SpecError('', `is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'Define each anchor (&name) before its alias (*name), and use aliases sparingly.').withLocation(`${file}:${pos.line}:${pos.col}`)]);
  }
  try {
    return validateEnvironment(value, file);
  } catch (err) {
    if (err instanceof InvalidSpecError) throw new InvalidSpecError(file, err.errors.map((e) => locate(e, doc, lineCounter, file)));
    throw err;
  }
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
  if (['.ts', '.js', '.cjs', '.mts'].includes(ext)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(abs) as Record<string, unknown>;
    const spec = mod.default ?? mod.spec;
    if (spec === undefined) throw new UsageError(`${file} exports no environment spec`, 'Export it as `export default defineEnvironment({...})`.');
    return validateEnvironment(spec, file);
  }
  throw new UsageError(`cannot read a spec from ${file}`, 'Use a .yaml, .yml, .json or .ts file.');
}
