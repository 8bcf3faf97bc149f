/**
 * Loading a TypeScript/JavaScript spec module. The module is the user's code: when it does not
 * compile, throws while it builds the spec, or imports something that is not installed, that is
 * a mistake in the spec (exit 2, with file and line), not a bug in pvestack.
 */
import * as path from 'node:path';
import type { Environment } from './environment';
import { InvalidSpecError, PvestackError, SpecError, UsageError } from './errors';
import { locateModuleErrors, rememberModuleLocations } from './source-locations';
import { validateEnvironment } from './validate';

/** The first `file:line:col` of `abs` in a stack trace (tsx maps it back to the TypeScript source). */
function frameIn(stack: string, abs: string): { line: number; col: number } | undefined {
  for (const line of stack.split('\n')) {
    const i = line.indexOf(`${abs}:`);
    if (i < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(i + abs.length));
    if (m) return { line: Number(m[1]), col: Number(m[2]) };
  }
  return undefined;
}

/** The spec error for an exception raised while requiring the module. */
export function moduleLoadError(err: unknown, file: string, abs: string): PvestackError {
  if (err instanceof PvestackError) return err;
  const e = err as Error & { code?: string };
  const first = String(e?.message ?? err).split('\n');
  // esbuild (through tsx): "Transform failed with 1 error:\n/abs/env.ts:2:0: ERROR: Expected ..."
  const compile = first.map((l) => /^(.*):(\d+):(\d+): ERROR: (.*)$/.exec(l)).find((m) => m !== null);
  if (compile) {
    // The spec itself, or a module it imports; esbuild counts columns from 0.
    const where = path.resolve(compile[1]!) === abs ? file : path.relative(process.cwd(), compile[1]!);
    const location = `${where}:${compile[2]}:${Number(compile[3]) + 1}`;
    return new InvalidSpecError(file, [
      new SpecError('', `does not compile: ${compile[4]}`, 'Fix the TypeScript syntax at that line (`npx tsc --noEmit` shows every error).').withLocation(
        location,
      ),
    ]);
  }
  if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') {
    const wanted = /Cannot find (?:module|package) '([^']+)'/.exec(first[0]!)?.[1] ?? first[0]!;
    const hint =
      wanted === 'pvestack' || wanted.startsWith('pvestack/')
        ? 'Install pvestack in the repository that holds the spec (npm install --save-dev <path or URL of pvestack>), see "Your own infrastructure repository" in the README.'
        : 'Install the package next to the spec (npm install), or fix the import path.';
    const where = frameIn(e.stack ?? '', abs);
    const error = new SpecError('', `imports ${JSON.stringify(wanted)}, which cannot be found from ${path.dirname(file) || '.'}`, hint);
    return new InvalidSpecError(file, [where ? error.withLocation(`${file}:${where.line}:${where.col}`) : error.withLocation(file)]);
  }
  const where = frameIn(e?.stack ?? '', abs);
  const error = new SpecError(
    '',
    `throws while building the environment: ${first[0]}`,
    'A spec module must build and export the environment without throwing; fix the statement at that line.',
  );
  return new InvalidSpecError(file, [error.withLocation(where ? `${file}:${where.line}:${where.col}` : file)]);
}

/** Registers tsx's CommonJS hooks; returns what removes them again. */
function tsxRegister(): () => void {
  // Typed here: tsx declares its API only through package `exports`, which this project's
  // CommonJS module resolution does not read.
  return (require('tsx/cjs/api') as { register(): () => void }).register();
}

/** Requires a spec module and validates what it exports as `default` or `spec`. */
export function loadSpecModule(file: string, abs: string): Environment {
  let mod: Record<string, unknown>;
  // The compiled CLI (dist/) has no TypeScript loader of its own: tsx compiles users' .ts specs,
  // registered only while one is loaded. Left registered, its hooks would also handle every
  // module required afterwards: the TypeScript compiler that locates spec errors (9 MB) took
  // about 0.1 s more to load through them.
  const unregister = /\.[cm]?ts$/.test(abs) && !require.extensions['.ts'] ? tsxRegister() : undefined;
  try {
    mod = require(abs) as Record<string, unknown>;
  } catch (err) {
    throw moduleLoadError(err, file, abs);
  } finally {
    unregister?.();
  }
  const spec = mod.default ?? mod.spec;
  if (spec === undefined) throw new UsageError(`${file} exports no environment spec`, 'Export it as `export default defineEnvironment({...})`.');
  let env: Environment;
  try {
    env = validateEnvironment(spec, file);
  } catch (err) {
    // Spec errors point at the line of their value, or of the expression that produced it.
    if (err instanceof InvalidSpecError) throw locateModuleErrors(err, file, abs, spec);
    throw err;
  }
  return rememberModuleLocations(env, spec, file, abs);
}
