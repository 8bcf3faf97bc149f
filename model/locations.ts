/**
 * Where each spec path of a loaded environment was written (`env.yaml:42:11`), so that check
 * findings point into the file the way spec errors do. Kept beside the environment rather than
 * in it: the validated model stays a plain description, equal however it was loaded.
 */
import type { Environment } from './environment';

/** Maps a spec path (`guests[1].ipv4`) to `file:line:column`, or undefined when unknown. */
export type SpecLocator = (specPath: string) => string | undefined;

const LOCATORS = new WeakMap<Environment, SpecLocator>();

/** Records how to locate the paths of `env` (called by the file loaders). */
export function rememberLocations(env: Environment, locate: SpecLocator): Environment {
  LOCATORS.set(env, locate);
  return env;
}

/** `file:line:column` of a spec path of `env`, when it came from a file that can say. */
export function specLocation(env: Environment, specPath: string): string | undefined {
  return LOCATORS.get(env)?.(specPath);
}
