/**
 * How commands talk to people and machines. Commands return data; this module prints it as
 * text, as JSON (`--json`), or not at all (`--quiet`). Errors become one readable block, never a
 * stack trace, unless PVESTACK_DEBUG is set.
 */
import { PvestackError } from '../model/errors';

export interface GlobalOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly out?: string;
  readonly color?: boolean;
}

export class Reporter {
  constructor(readonly opts: GlobalOptions) {}

  /** A line of progress or result for humans; silent with --json or --quiet. */
  info(line: string): void {
    if (!this.opts.json && !this.opts.quiet) process.stdout.write(`${line}\n`);
  }

  /** A warning humans should see even with --quiet; goes to stderr so JSON stays parseable. */
  warn(line: string): void {
    if (!this.opts.json) process.stderr.write(`warning: ${line}\n`);
    else process.stderr.write(`${JSON.stringify({ warning: line })}\n`);
  }

  /** The machine-readable result; printed only with --json. */
  result(data: unknown): void {
    if (this.opts.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }
}

export function formatError(err: unknown): string {
  if (err instanceof PvestackError) return `error: ${err.format()}`;
  const e = err as Error;
  const detail = process.env.PVESTACK_DEBUG
    ? `\n${e?.stack ?? ''}`
    : '\n(set PVESTACK_DEBUG=1 for the stack trace; this is a bug in pvestack, please report it)';
  return `internal error: ${e?.message ?? String(err)}${detail}`;
}

export function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof PvestackError) return { ok: false, ...err.toJSON() };
  return { ok: false, error: 'Internal', message: (err as Error)?.message ?? String(err) };
}
