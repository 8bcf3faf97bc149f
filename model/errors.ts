/**
 * Every user-facing failure is one of these typed errors. Only `bin/` catches them,
 * prints `format()` and sets the process exit code; nothing else prints or exits.
 */

/** Exit codes shared by every command (documented in the README). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  userError: 2,
} as const;

/** Base class: a message meant for a human, an exit code, and no stack trace when printed. */
export abstract class PvestackError extends Error {
  abstract readonly exitCode: number;
  /** Machine-readable form for `--json` output. */
  abstract toJSON(): Record<string, unknown>;
  /** Human-readable form for a terminal or CI log. */
  format(): string {
    return this.message;
  }
}

/** Renders a value for an error message: short, quoted like JSON, never multi-line. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One thing wrong in a spec: where (`guests[3].ipv4`), what, the offending value and the fix. */
export class SpecError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  /** False when the error is about a missing field, so there is no value to show. */
  readonly hasValue: boolean;
  /** `file:line:column` when the spec came from a file that can point at the value. */
  location?: string;
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly hint: string,
    readonly value?: unknown,
  ) {
    super('');
    this.hasValue = arguments.length >= 4;
    this.message = `${path || '(root)'}: ${problem}${this.hasValue ? ` (got ${showValue(value)})` : ''}. ${hint}`;
    this.name = 'SpecError';
  }
  /** The same error, pointing at a place in a file. */
  withLocation(location: string): SpecError {
    const copy = this.hasValue ? new SpecError(this.path, this.problem, this.hint, this.value) : new SpecError(this.path, this.problem, this.hint);
    copy.location = location;
    copy.message = `${location}: ${copy.message}`;
    return copy;
  }
  toJSON(): Record<string, unknown> {
    return {
      ...(this.location ? { location: this.location } : {}),
      path: this.path,
      problem: this.problem,
      ...(this.hasValue ? { value: this.value ?? null } : {}),
      hint: this.hint,
    };
  }
}

/** All spec errors of one environment, reported together so a user fixes them in one pass. */
export class InvalidSpecError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  constructor(
    readonly source: string,
    readonly errors: readonly SpecError[],
  ) {
    super(`${source}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the environment spec`);
    this.name = 'InvalidSpecError';
  }
  override format(): string {
    return [this.message + ':', ...this.errors.map((e) => `  - ${e.message}`)].join('\n');
  }
  toJSON(): Record<string, unknown> {
    return { error: 'InvalidSpec', source: this.source, errors: this.errors.map((e) => e.toJSON()) };
  }
}

/** A command was called wrongly (unknown environment, bad flag value). */
export class UsageError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'UsageError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'Usage', message: this.message };
  }
}

/** Something outside the spec failed (a file could not be written, a tool crashed). */
export class OperationError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'OperationError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'Operation', message: this.message };
  }
}
