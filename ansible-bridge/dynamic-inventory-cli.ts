/**
 * The dynamic inventory protocol (`--list`, `--host NAME`) as a function of its inputs, so it can
 * be tested without spawning a process. `dynamic-inventory.js` is the executable wrapper.
 */
import { PvestackError } from '../model';
import type { Environment } from '../model';
import { buildInventory, hostVarsOf } from './inventory';

/** The variable naming the environment (a registered name or a spec file path). */
export const ENV_VARIABLE = 'PVESTACK_ENV';

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const USAGE = `usage: ${ENV_VARIABLE}=<environment or spec file> dynamic-inventory.js --list | --host NAME`;

/** Answers one invocation of the script. `load` resolves an environment name or spec file. */
export function runDynamicInventory(args: readonly string[], envName: string | undefined, load: (nameOrFile: string) => Environment): ScriptResult {
  const fail = (code: number, message: string): ScriptResult => ({ code, stdout: '', stderr: `${message}\n` });
  const list = args.length === 1 && args[0] === '--list';
  const host = args.length === 2 && args[0] === '--host' ? args[1] : undefined;
  if (!list && host === undefined) return fail(2, USAGE);
  if (!envName) return fail(2, `error: ${ENV_VARIABLE} is not set. Set it to an environment name (e.g. production) or a spec file.\n${USAGE}`);
  try {
    const inventory = buildInventory(load(envName));
    const out = list ? inventory.list : hostVarsOf(inventory, host!);
    return { code: 0, stdout: `${JSON.stringify(out, null, 2)}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof PvestackError) return fail(err.exitCode, `error: ${err.format()}`);
    throw err;
  }
}
