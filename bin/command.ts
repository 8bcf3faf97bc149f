/** Shared plumbing for CLI verbs: global options, the reporter, and error → exit code mapping. */
import { Command } from 'commander';
import { GlobalOptions, Reporter, errorJson, formatError } from './output';

export interface CommandContext {
  readonly global: GlobalOptions;
  readonly reporter: Reporter;
}

/**
 * Wraps a command action: builds the context, runs it, and turns any error into a printed
 * message plus exit code (2 for user errors, 1 otherwise). The action returns the exit code.
 */
export function action<A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<number | void> | number | void) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const global = cmd.optsWithGlobals() as GlobalOptions;
    const ctx: CommandContext = { global, reporter: new Reporter(global) };
    try {
      const code = await fn(ctx, ...(args.slice(0, -1) as A));
      process.exitCode = code ?? 0;
    } catch (err) {
      if (global.json) process.stdout.write(`${JSON.stringify(errorJson(err), null, 2)}\n`);
      else process.stderr.write(`${formatError(err)}\n`);
      process.exitCode = typeof (err as { exitCode?: unknown })?.exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1;
    }
  };
}
