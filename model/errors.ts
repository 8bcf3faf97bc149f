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

/** How many problems of one spec are reported; the rest are counted ("and N more"). */
export const MAX_REPORTED_PROBLEMS = 50;

/** Longest value (or field path) an error message prints; longer ones end in "...". */
export const MAX_SHOWN_CHARS = 200;

/** Values in messages are shorter still, so a problem stays one readable line. */
const SHOWN_VALUE_CHARS = 80;

/** Cuts `text` to `max` characters, marking the cut. */
export function clip(text: string, max = MAX_SHOWN_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

const STOP = Symbol('enough');

/**
 * `JSON.stringify(value)` up to `limit` characters (more means "too long"), with BigInts as
 * `"12n"` as in a TypeScript spec. It stops as soon as the limit is passed, so a 5 MB value costs
 * no more than a short one: messages about huge inputs stay linear in the number of problems.
 */
export function boundedJson(value: unknown, limit: number): string | undefined {
  let out = '';
  const seen = new Set<object>();
  const emit = (text: string) => {
    out += text;
    if (out.length > limit) throw STOP;
  };
  const walk = (v: unknown, inArray: boolean): boolean => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
    if (typeof v === 'bigint') emit(JSON.stringify(`${v}n`));
    else if (typeof v === 'string') emit(JSON.stringify(v.length > limit ? v.slice(0, limit + 1) : v));
    else if (typeof v === 'number') emit(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'boolean' || v === null) emit(String(v));
    else if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      if (!inArray) return false;
      emit('null');
    } else {
      if (seen.has(v as object)) throw new TypeError('circular');
      seen.add(v as object);
      if (Array.isArray(v)) {
        emit('[');
        for (let i = 0; i < v.length; i++) {
          if (i > 0) emit(',');
          walk(v[i], true);
        }
        emit(']');
      } else {
        emit('{');
        let first = true;
        for (const key of Object.keys(v as object)) {
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
          emit(`${first ? '' : ','}${JSON.stringify(key.length > limit ? key.slice(0, limit + 1) : key)}:`);
          first = false;
          walk(item, false);
        }
        emit('}');
      }
      seen.delete(v as object);
    }
    return true;
  };
  try {
    return walk(value, false) ? out : undefined;
  } catch (err) {
    if (err === STOP) return out;
    throw err;
  }
}

/** `scheme://user:password@`: the password of a URL typed where it does not belong. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]+:)[^\s@"]+@/gi;

/**
 * Replaces any password inside a URL by `…` (`https://root:…@pve1:8006`), in text or in the
 * strings of a small value: messages and `--json` end up in CI logs, and a misplaced URL is
 * echoed back to say what is wrong with it.
 */
export function redactCredentials<T>(value: T): T {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, '$1…@') as T;
  if (Array.isArray(value)) return value.map(redactCredentials) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactCredentials(v)])) as T;
  return value;
}

/** Renders a value for an error message: short, quoted like JSON, never multi-line, no URL passwords. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = boundedJson(value, SHOWN_VALUE_CHARS) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(redactCredentials(text), SHOWN_VALUE_CHARS);
}

/** One thing wrong in a spec: where (`guests[3].ipv4`), what, the offending value and the fix. */
export class SpecError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  /** False when the error is about a missing field, so there is no value to show. */
  readonly hasValue: boolean;
  /** `file:line:column` when the spec came from a file that can point at the value. */
  location?: string;
  /**
   * What the line at `location` holds when it is not the value itself: the expression that
   * produced it in a TypeScript spec ("from the spread ...base on line 12").
   */
  origin?: string;
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly hint: string,
    readonly value?: unknown,
  ) {
    super('');
    this.hasValue = arguments.length >= 4;
    // A field path holds the user's own keys, which may be as long as the file: clip it too.
    this.message = `${clip(path) || '(root)'}: ${problem}${this.hasValue ? ` (got ${showValue(value)})` : ''}. ${hint}`;
    this.name = 'SpecError';
  }
  /** The same error, pointing at a place in a file (and saying what is there, when it is not the value). */
  withLocation(location: string, origin?: string): SpecError {
    const copy = this.hasValue ? new SpecError(this.path, this.problem, this.hint, this.value) : new SpecError(this.path, this.problem, this.hint);
    copy.location = location;
    if (origin) {
      copy.origin = origin;
      const head = clip(this.path) || '(root)';
      copy.message = `${head} (${origin})${copy.message.slice(head.length)}`;
    }
    copy.message = `${location}: ${copy.message}`;
    return copy;
  }
  toJSON(): Record<string, unknown> {
    return {
      ...(this.location ? { location: this.location } : {}),
      ...(this.origin ? { origin: this.origin } : {}),
      path: clip(this.path),
      problem: this.problem,
      ...(this.hasValue ? { value: jsonValue(this.value) } : {}),
      hint: this.hint,
    };
  }
}

/** The value itself in `--json` output when it is short; else its first characters, as text. */
function jsonValue(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = boundedJson(value, MAX_SHOWN_CHARS);
  } catch {
    return redactCredentials(String(value).slice(0, MAX_SHOWN_CHARS));
  }
  if (text === undefined) return null;
  // Short values are returned as they are (bounded above), so redacting their strings is cheap.
  return text.length > MAX_SHOWN_CHARS ? clip(redactCredentials(text)) : redactCredentials(value);
}

/**
 * All spec errors of one environment, reported together so a user fixes them in one pass. Only
 * the first MAX_REPORTED_PROBLEMS are kept; `total` counts them all ("and N more").
 */
export class InvalidSpecError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  readonly errors: readonly SpecError[];
  /** Every problem found, including those not kept in `errors`. */
  readonly total: number;
  constructor(
    readonly source: string,
    errors: readonly SpecError[],
    total = errors.length,
  ) {
    const count = Math.max(total, errors.length);
    super(`${source}: ${count} problem${count === 1 ? '' : 's'} in the environment spec`);
    this.errors = errors.slice(0, MAX_REPORTED_PROBLEMS);
    this.total = count;
    this.name = 'InvalidSpecError';
  }
  /** Problems found but not listed. */
  get omitted(): number {
    return this.total - this.errors.length;
  }
  override format(): string {
    const more = this.omitted > 0 ? [`  ... and ${this.omitted} more (the first ${this.errors.length} are shown; fix these and run again)`] : [];
    return [this.message + ':', ...this.errors.map((e) => `  - ${e.message}`), ...more].join('\n');
  }
  toJSON(): Record<string, unknown> {
    return { error: 'InvalidSpec', source: this.source, total: this.total, omitted: this.omitted, errors: this.errors.map((e) => e.toJSON()) };
  }
}

/**
 * A construct used on its own (outside an environment spec) got props it cannot build: every
 * problem at once, each a `SpecError` whose path is the prop's (`network.address`, `mountPoints[1].path`).
 */
export class InvalidPropsError extends PvestackError {
  readonly exitCode = ExitCode.userError;
  constructor(
    /** What was built, e.g. `ProxmoxLxc mine/app`. */
    readonly construct: string,
    readonly errors: readonly SpecError[],
  ) {
    super(`${construct}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in its props`);
    this.name = 'InvalidPropsError';
  }
  override format(): string {
    return [this.message + ':', ...this.errors.map((e) => `  - ${e.message}`)].join('\n');
  }
  toJSON(): Record<string, unknown> {
    return { error: 'InvalidProps', construct: this.construct, errors: this.errors.map((e) => e.toJSON()) };
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

/** The user stopped a command (SIGINT, SIGTERM); the message says what was cleaned up and what was left. */
export class InterruptedError extends PvestackError {
  readonly exitCode: number;
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message: string,
    readonly hint?: string,
  ) {
    super(withHint(message, hint));
    this.name = 'InterruptedError';
    // The shell's convention: 128 + the signal's number.
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
  toJSON(): Record<string, unknown> {
    return { error: 'Interrupted', signal: this.signal, message: this.message };
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
    const what = remoteExitCode === null ? 'lost the connection mid-step (the step may have run in part)' : `exited ${remoteExitCode}`;
    const tail = stderr.trim().split('\n').slice(-5).join('\n    ');
    super(`${host}: \`${argv.join(' ').replace(/\s+/g, ' ').slice(0, 200)}\` ${what}${tail ? `:\n    ${tail}` : ''}`);
    this.name = 'RemoteCommandError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'RemoteCommand', host: this.host, argv: this.argv, exitCode: this.remoteExitCode, lost: this.remoteExitCode === null, stderr: this.stderr };
  }
}

/** Why an SSH connection could not be opened; each reason has its own words. */
export type ConnectFailure = 'refused' | 'timed out' | 'unreachable' | 'authentication failed' | 'failed';

/** No SSH connection to a host: nothing was run there. */
export class ConnectError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    readonly reason: ConnectFailure,
    readonly detail: string,
  ) {
    const hint: Record<ConnectFailure, string> = {
      refused: 'nothing listens on that port: is sshd running, and is sshPort right?',
      'timed out': 'no answer: is the host up, and does a firewall let the deployer reach its SSH port?',
      unreachable: 'no route to the host: check its address and the network',
      'authentication failed': "the host rejected the key: pass -i <key> or load it into the SSH agent, and check the guest's sshUser",
      failed: 'see the detail above',
    };
    super(`${host}: connection ${reason === 'failed' ? 'failed' : reason} before anything ran (${detail}); ${hint[reason]}`);
    this.name = 'ConnectError';
  }
  toJSON(): Record<string, unknown> {
    return { error: 'Connect', host: this.host, reason: this.reason, detail: this.detail };
  }
}

/** Another deploy holds the host's deploy lock. */
export class LockHeldError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly host: string,
    /** Holder, run, process, start and heartbeat, as `describeLock` says it. */
    readonly holder: string,
    /** The command that frees it, as it works when typed (spec path, --root, -i included). */
    readonly releaseCommand: string,
    readonly details: { readonly run?: string; readonly commit?: string } = {},
  ) {
    super(`Deploy lock on ${host} ${holder}. If that deploy is dead, run: ${releaseCommand}`);
    this.name = 'LockHeldError';
  }
  toJSON(): Record<string, unknown> {
    return {
      error: 'LockHeld',
      host: this.host,
      holder: this.holder,
      run: this.details.run ?? null,
      commit: this.details.commit ?? null,
      release: this.releaseCommand,
    };
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
            "Refusing to connect; if the host was rebuilt on purpose, update the guest's hostKeys (or the known_hosts file)",
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
    super(
      `${host}: service '${service}' ${detail}. Last log lines:\n${logs
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}`,
    );
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
