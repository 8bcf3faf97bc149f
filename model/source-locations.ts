/**
 * Where a value was written in a TypeScript/JavaScript spec module. Spec errors are located by
 * walking the module's syntax tree (model/module-locator.ts), loaded only when there is an error.
 * Without the TypeScript compiler installed, and for check findings (which a valid spec also
 * has, and should not pay ~0.2 s of compiler loading for), a string value is looked up as a
 * literal in the source, and only a literal that occurs exactly once, on a line naming its field,
 * counts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from './environment';
import { InvalidSpecError, SpecError } from './errors';
import { splitPath } from './load';
import { rememberLocations } from './locations';
import { ModuleLocator } from './module-locator';
import { loadTypescript, ModuleSources } from './module-source';

/** 1-based `line:column` of the only `'value'`, `"value"` or `` `value` `` literal in `source`. */
export function uniqueLiteral(source: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 3 || value.includes('\n')) return undefined;
  const hits: number[] = [];
  for (const quote of ["'", '"', '`']) {
    const needle = `${quote}${value}${quote}`;
    for (let at = source.indexOf(needle); at >= 0; at = source.indexOf(needle, at + 1)) hits.push(at);
  }
  if (hits.length !== 1) return undefined;
  const before = source.slice(0, hits[0]).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function valueAt(spec: unknown, specPath: string): unknown {
  let node: unknown = spec;
  for (const part of splitPath(specPath)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function readSource(abs: string): string {
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch {
    return '';
  }
}

/**
 * How to name a file the spec imports in a message: relative to where the spec's own name is
 * relative to (`envs/prod.ts` and `envs/common.ts`), so both read the same way.
 */
function displayName(other: string, file: string, abs: string): string {
  if (path.isAbsolute(file)) return other;
  const root = abs.endsWith(path.normalize(file)) ? abs.slice(0, abs.length - path.normalize(file).length) : process.cwd();
  return path.relative(root || '.', other);
}

/**
 * The place of a spec path, or undefined. A module the walk does not foresee must never turn the
 * user's mistake into a crash of pvestack: the error then names the file only.
 */
function placeOf(locator: ModuleLocator, specPath: string): ReturnType<ModuleLocator['locate']> {
  try {
    return locator.locate(splitPath(specPath));
  } catch {
    return undefined;
  }
}

/**
 * The same spec errors, each at the best `file:line:col` the module's syntax tree gives (see
 * model/module-locator.ts), with what that line holds when it is not the value itself. Falls back
 * to a literal written once when the TypeScript compiler is not installed; at worst the file.
 */
export function locateModuleErrors(err: InvalidSpecError, file: string, abs: string, spec: unknown): InvalidSpecError {
  const ts = loadTypescript(path.dirname(abs));
  const locator = ts ? new ModuleLocator(new ModuleSources(ts), abs, spec) : undefined;
  const source = locator ? '' : readSource(abs);
  const located = err.errors.map((e: SpecError) => {
    if (e.location) return e;
    if (!locator) {
      const at = e.hasValue ? literalOfField(source, e.value, e.path) : undefined;
      return e.withLocation(at ? `${file}:${at}` : file);
    }
    const place = placeOf(locator, e.path);
    if (!place) return e.withLocation(file);
    const name = place.abs === abs ? file : displayName(place.abs, file, abs);
    return e.withLocation(`${name}:${place.line}:${place.col}`, place.origin);
  });
  return new InvalidSpecError(err.source, located, err.total);
}

/**
 * `line:column` of the value at `specPath` when it is a literal written once, on a line that names
 * the field: the same text written for another field (`const spare = '10.30.0.9'` while the address
 * is computed) would be a wrong place.
 */
function literalOfField(source: string, value: unknown, specPath: string): string | undefined {
  const at = uniqueLiteral(source, value);
  // The field's name, or the list's for an element (`tags[1]` is on the line of `tags:`).
  const key = splitPath(specPath)
    .filter((p): p is string => typeof p === 'string')
    .at(-1);
  if (!at || key === undefined) return undefined;
  const line = source.split('\n')[Number(at.split(':')[0]) - 1] ?? '';
  return new RegExp(`(^|[^\\w$])${key.replace(/[^\w$]/g, '\\$&')}['"]?\\s*:`).test(line) ? at : undefined;
}

/** Lets check findings on a module's environment point at the literal of their field (see above). */
export function rememberModuleLocations(env: Environment, spec: unknown, file: string, abs: string): Environment {
  const source = readSource(abs);
  return rememberLocations(env, (specPath) => {
    const at = literalOfField(source, valueAt(spec, specPath), specPath);
    return at ? `${file}:${at}` : undefined;
  });
}
