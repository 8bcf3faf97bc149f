/**
 * What a host runs, as the probe script (`commands.ts`, `probeScript`) reports it, parsed into
 * types: the fingerprint key, compose flavor, the lock, the journal of an interrupted deploy, and
 * per stack the `current` release, the release directories and every container with its state and
 * fingerprint label. Pure: text in, value out.
 */
import type { ComposeFlavor } from './commands';

export interface ContainerState {
  readonly service: string;
  /** `running`, `exited`, `created`, `restarting`, `dead`, ... */
  readonly state: string;
  readonly exitCode: number;
  /** `healthy`, `unhealthy`, `starting`, or `none` without a healthcheck. */
  readonly health: string;
  /** The `io.pvestack.config` label; empty on containers no pvestack deploy created. */
  readonly fingerprint: string;
}

export interface StackState {
  readonly stack: string;
  readonly current?: string;
  /** Sealed release directories. */
  readonly releases: readonly string[];
  /** `<id>.partial` directories: uploads a dead deploy left behind. */
  readonly partials: readonly string[];
  readonly containers: readonly ContainerState[];
}

/** One journal line: a step a deploy started, with the host's time. */
export interface JournalEntry {
  readonly step: string;
  readonly stack?: string;
  readonly release?: string;
  readonly previous?: string;
  /** Seconds since the epoch, host clock. */
  readonly at: number;
}

/** The lock as found: its info text (JSON, possibly empty) and the newest of its files' mtimes. */
export interface LockSeen {
  readonly info: string;
  readonly mtime: number;
}

export interface HostState {
  /** Empty when the host could not be read (unreachable `--dry-run`). */
  readonly key: string;
  /** Host clock, seconds since the epoch. */
  readonly now: number;
  readonly compose: ComposeFlavor | 'none';
  readonly lock?: LockSeen;
  readonly journal: readonly JournalEntry[];
  readonly stacks: readonly StackState[];
}

/** Parses the probe's output. */
export function parseHostState(text: string): HostState {
  let key = '';
  let now = 0;
  let compose: HostState['compose'] = 'none';
  let lock: LockSeen | undefined;
  const journal: JournalEntry[] = [];
  const stacks: { stack: string; current?: string; releases: string[]; partials: string[]; containers: ContainerState[] }[] = [];
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const cur = stacks.at(-1);
    switch (tag) {
      case 'key':
        key = rest.trim();
        break;
      case 'now':
        now = Number(rest) || 0;
        break;
      case 'compose':
        compose = rest === 'v1' || rest === 'v2' ? rest : 'none';
        break;
      case 'lock':
        lock = parseLock(rest);
        break;
      case 'journal': {
        const entry = parseJson<JournalEntry>(rest);
        if (entry && typeof entry.step === 'string') journal.push(entry);
        break;
      }
      case 'stack':
        stacks.push({ stack: rest, releases: [], partials: [], containers: [] });
        break;
      case 'current':
        if (cur && rest) cur.current = rest;
        break;
      case 'release':
        if (cur && rest) (rest.endsWith('.partial') ? cur.partials : cur.releases).push(rest);
        break;
      case 'container': {
        const [service = '', state = '', exitCode = '0', health = 'none', fingerprint = ''] = rest.split(' ');
        if (cur && service)
          cur.containers.push({
            service,
            state,
            exitCode: Number(exitCode) || 0,
            health,
            fingerprint: fingerprint === '<no' || fingerprint === '<no value>' ? '' : fingerprint,
          });
        break;
      }
      default:
        break;
    }
  }
  return { key, now, compose, ...(lock ? { lock } : {}), journal, stacks };
}

/** `lock <mtime> <info>` → the lock as seen. */
export function parseLock(rest: string): LockSeen {
  const sp = rest.indexOf(' ');
  return sp < 0 ? { mtime: Number(rest) || 0, info: '' } : { mtime: Number(rest.slice(0, sp)) || 0, info: rest.slice(sp + 1).trim() };
}

/** The state of one stack (empty when the probe did not list it). */
export function stackState(host: HostState, stack: string): StackState {
  return host.stacks.find((s) => s.stack === stack) ?? { stack, releases: [], partials: [], containers: [] };
}

/** A host nothing is known about (never deployed, or not reachable for `--dry-run`). */
export const UNKNOWN_HOST: HostState = { key: '', now: 0, compose: 'v2', journal: [], stacks: [] };

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
