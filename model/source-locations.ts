/**
 * Where a value was written in a TypeScript/JavaScript spec module. There is no parse tree to
 * walk (tsx compiles the module), so a string value is looked up as a literal in the source, and
 * only a literal that occurs exactly once counts: a location is given when it is certain, never
 * a guess at one of several places.
 */
import * as fs from 'node:fs';
import type { Environment } from './environment';
import { InvalidSpecError, SpecError } from './errors';
import { splitPath } from './load';
import { rememberLocations } from './locations';

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

/** The same spec errors, each at `file:line:col` when its value is a literal written once in the module. */
export function locateModuleErrors(err: InvalidSpecError, file: string, abs: string): InvalidSpecError {
  const source = readSource(abs);
  const located = err.errors.map((e: SpecError) => {
    const at = e.hasValue ? uniqueLiteral(source, e.value) : undefined;
    return at && !e.location ? e.withLocation(`${file}:${at}`) : e;
  });
  return new InvalidSpecError(err.source, located, err.total);
}

/** Lets check findings on a module's environment point at a literal written once in it. */
export function rememberModuleLocations(env: Environment, spec: unknown, file: string, abs: string): Environment {
  const source = readSource(abs);
  return rememberLocations(env, (specPath) => {
    const at = uniqueLiteral(source, valueAt(spec, specPath));
    return at ? `${file}:${at}` : undefined;
  });
}
