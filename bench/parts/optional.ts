/**
 * Loads a project module the benchmark can do without (the schema validator, the checks, the diff
 * engine, the deployer are built in parallel): the module, or undefined and a reason to print.
 */
export function optionalModule<T>(specifier: string): { mod?: T; skipped?: string } {
  try {
    return { mod: require(specifier) as T };
  } catch (err) {
    return { skipped: `skipped: not implemented (${specifier}: ${(err as Error).message.split('\n')[0]})` };
  }
}
