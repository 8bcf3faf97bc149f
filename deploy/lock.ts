/**
 * Who holds a host's deploy lock and whether that holder is still alive; one judgement shared by
 * `pvestack deploy` and `pvestack lock status`, so they always agree.
 *
 * A lock is stale when its holder is provably gone: it was taken on this machine by a process that
 * no longer exists, or its heartbeat (touched every {@link HEARTBEAT_SECONDS} s while a deploy
 * runs) is older than {@link LOCK_EXPIRY_SECONDS}. A deploy takes over a stale lock and says so;
 * a live one makes it fail at once.
 */

/** How often a running deploy touches `<root>/.lock/heartbeat`. */
export const HEARTBEAT_SECONDS = 10;
/** A lock whose heartbeat is older than this is stale (documented in deploy/README.md). */
export const LOCK_EXPIRY_SECONDS = 120;

/** Serialized into `<root>/.lock/info`. */
export interface LockInfo {
  /** Random id of the deploy run. */
  readonly run: string;
  /** Who deploys: the CI actor or `user@machine`. */
  readonly owner: string;
  /** Host name of the machine the deployer runs on. */
  readonly machine: string;
  readonly pid: number;
  /** ISO time the run started (deployer's clock). */
  readonly since: string;
  readonly env?: string;
  readonly commit?: string;
}

export interface LockJudgement {
  readonly info: Partial<LockInfo>;
  /** Seconds since the last heartbeat (host clock). */
  readonly ageSeconds: number;
  readonly stale: boolean;
  /** Why it is stale, or why it is considered alive. */
  readonly reason: string;
}

/**
 * Judges a lock from its info text, the newest mtime of its files and the host's clock. `local`
 * says which machine this is and whether a pid runs here (the holder may be this machine).
 */
export function judgeLock(infoText: string, mtime: number, now: number, local: { machine: string; alive(pid: number): boolean }): LockJudgement {
  let info: Partial<LockInfo>;
  try {
    info = infoText ? (JSON.parse(infoText) as Partial<LockInfo>) : {};
  } catch {
    info = {};
  }
  const ageSeconds = Math.max(0, now - mtime);
  if (!infoText) {
    // Earlier versions could leave an empty lock when the disk was full; nobody can be holding it
    // once it is older than the expiry.
    return {
      info,
      ageSeconds,
      stale: ageSeconds > LOCK_EXPIRY_SECONDS,
      reason: ageSeconds > LOCK_EXPIRY_SECONDS ? `it has no holder information and is ${ageSeconds} s old` : 'it has no holder information yet',
    };
  }
  if (info.machine && info.machine === local.machine && typeof info.pid === 'number' && !local.alive(info.pid)) {
    return { info, ageSeconds, stale: true, reason: `its deploy (pid ${info.pid} on ${info.machine}) is no longer running` };
  }
  if (ageSeconds > LOCK_EXPIRY_SECONDS) return { info, ageSeconds, stale: true, reason: `no heartbeat for ${ageSeconds} s (expiry ${LOCK_EXPIRY_SECONDS} s)` };
  return { info, ageSeconds, stale: false, reason: `last heartbeat ${ageSeconds} s ago` };
}

/** One line about a lock for people: holder, run, process, start, heartbeat, staleness. */
export function describeLock(j: LockJudgement): string {
  const i = j.info;
  const who = i.owner ?? (i as { holder?: string }).holder ?? 'an unknown deploy';
  const parts = [
    `held by ${who}`,
    ...(i.run ? [`run ${i.run}`] : []),
    ...(i.pid !== undefined || i.machine ? [`pid ${i.pid ?? '?'} on ${i.machine ?? '?'}`] : []),
    `since ${i.since ?? 'an unknown time'}`,
    ...(i.commit ? [`commit ${i.commit}`] : []),
  ];
  return `${parts.join(', ')}; ${j.stale ? `stale: ${j.reason}` : j.reason}`;
}

/** Whether a process exists on this machine (signal 0 checks without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
