/** Shared plumbing for CLI verbs: global options, the reporter, and error → exit code mapping. */
import { Command, Option } from 'commander';
import type { EnvironmentSource, PreparedEnvironments } from '../pipeline/prepare';
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

/** The switch every verb that writes, ships or starts something offers to skip the checks. */
const NO_CHECKS = '--no-checks';

/** `--no-checks` for a verb; `what` says what goes ahead anyway, e.g. `write the output`. */
export function noChecksOption(what: string): Option {
  return new Option(NO_CHECKS, `${what} even when the preflight checks find errors (prints a loud warning)`);
}

/**
 * The pipeline's load → validate → check for a CLI verb: `checks` is the verb's `--no-checks`
 * value (commander sets it false when given); `refusal` says what the verb did not do.
 */
export function prepare(ctx: CommandContext, sources: readonly EnvironmentSource[], checks: boolean, refusal: string): PreparedEnvironments {
  // Verdicts go to stderr with the warnings: stdout stays the verb's own output (a dry-run's commands).
  const info = (line: string) => {
    if (!ctx.global.json && !ctx.global.quiet) process.stderr.write(`${line}\n`);
  };
  // Loaded here, not at the top: registering a verb must not load the specs and the checks.
  const { prepareEnvironments } = require('../pipeline/prepare') as typeof import('../pipeline/prepare');
  return prepareEnvironments(sources, {
    checks: checks ? 'enforce' : 'skip',
    skipSwitch: NO_CHECKS,
    refusal,
    log: { info, warn: (line) => ctx.reporter.warn(line) },
  });
}
