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
    // BigInts (possible in a TypeScript spec) would make JSON.stringify throw.
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
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

/** "message. hint", without a second stop after a message that already ends in one ("running?"). */
function withHint(message: string, hint?: string): string {
  if (!hint) return message;
  return `${message}${/[.?!]$/.test(message) ? '' : '.'} ${hint}`;
}

/** A command was called wrongly (unknown environment, bad flag value). */
export class UsageError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(withHint(message, hint));
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
    super(withHint(message, hint));
    this.name = 'OperationError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'Operation', message: this.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Deploy errors: transport and remote failures turned into domain errors (Kamal-style), so the
// CLI can say what happened on which host and what to do next.
// ---------------------------------------------------------------------------------------------

/** A command run on a host over SSH exited non-zero (or the connection dropped while it ran). */
export class RemoteCommandError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    readonly argv: readonly string[],
    /** `null` when the connection was lost before the command finished. */
    readonly remoteExitCode: number | null,
    readonly stderr: string,
  ) {
    const what = remoteExitCode === null ? 'lost its connection before finishing' : `exited ${remoteExitCode}`;
    const tail = stderr.trim().split('\n').slice(-5).join('\n    ');
    super(`${host}: \`${argv.join(' ').slice(0, 200)}\` ${what}${tail ? `:\n    ${tail}` : ''}`);
    this.name = 'RemoteCommandError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'RemoteCommand', host: this.host, argv: this.argv, exitCode: this.remoteExitCode, stderr: this.stderr };
  }
}

/** Another deploy holds the host's deploy lock. */
export class LockHeldError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    readonly holder: string,
    readonly since: string,
    readonly details: { readonly commit?: string; readonly env?: string; readonly guest?: string } = {},
  ) {
    super(
      `Deploy lock on ${host} held by ${holder} since ${since} (commit ${details.commit ?? 'unknown'}). ` +
        `Run 'pvestack lock release ${details.env ?? '<env>'} ${details.guest ?? '<guest>'}' if that deploy is dead.`,
    );
    this.name = 'LockHeldError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'LockHeld', host: this.host, holder: this.holder, since: this.since, commit: this.details.commit ?? null };
  }
}

/** The host presented a key that is not the one the spec (or known_hosts) pins; nothing was sent. */
export class HostKeyMismatchError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    /** `SHA256:...` of the key the host presented. */
    readonly presented: string,
    /** Fingerprints accepted; empty when no key is known for the host. */
    readonly expected: readonly string[],
  ) {
    super(
      expected.length === 0
        ? `${host}: no known host key (it presented ${presented}). Add the key to the guest's hostKeys, or run once with --trust-on-first-use to record it`
        : `${host}: host key mismatch: it presented ${presented}, expected ${expected.join(' or ')}. ` +
            'Refusing to connect; if the host was rebuilt on purpose, update the guest\'s hostKeys (or the known_hosts file)',
    );
    this.name = 'HostKeyMismatchError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'HostKeyMismatch', host: this.host, presented: this.presented, expected: this.expected };
  }
}

/** A service did not become healthy after a deploy; the previous release was brought back. */
export class HealthCheckFailedError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    readonly service: string,
    /** The service's last log lines (secret values already masked). */
    readonly logs: string,
    readonly detail = 'did not become healthy',
  ) {
    super(`${host}: service '${service}' ${detail}. Last log lines:\n${logs.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}`);
    this.name = 'HealthCheckFailedError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'HealthCheckFailed', host: this.host, service: this.service, detail: this.detail, logs: this.logs };
  }
}

/** A deploy would restart stateful services and nobody confirmed it (`--yes` or an interactive answer). */
export class ConfirmationRequiredError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  constructor(
    readonly host: string,
    readonly stack: string,
    readonly services: readonly string[],
  ) {
    super(
      `${host}: deploying stack '${stack}' restarts stateful service${services.length === 1 ? '' : 's'} ${services.map((s) => `'${s}'`).join(', ')} ` +
        'because the definition changed; not confirmed. Re-run with --yes (or answer the prompt on a terminal) once a short outage is acceptable',
    );
    this.name = 'ConfirmationRequiredError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'ConfirmationRequired', host: this.host, stack: this.stack, services: this.services };
  }
}
