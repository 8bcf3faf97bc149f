/**
 * The restore drill behind `pvestack backup verify`: which container to run (an argv builder),
 * and what its report means (a parser). Running it is the caller's: over SSH on the guest that
 * mounts the backups, or on a local Docker engine.
 */
import type { Environment, Guest, PostgresStackSpec } from '../model';
import { UsageError } from '../model/errors';
import { POSTGRES_DEFAULT_IMAGE } from '../templates/stacks/postgres';
import { POSTGRES_IMAGE_UID } from '../templates/postgres/backup';
import { DRILL_MARK, renderDrillScript } from '../templates/postgres/drill';
import { DRILL_RECORD } from '../templates/postgres/exporter-queries';

export interface DrillTarget {
  readonly guest: Guest;
  readonly stack: PostgresStackSpec;
  /** The stack's backup directory on the guest: `<backup mount>/postgres`. */
  readonly backupDir: string;
  readonly image: string;
}

/** The postgres stack with backups on `guestName` (the only one, or the `index`-th postgres stack). */
export function drillTarget(env: Environment, guestName: string): DrillTarget {
  const guest = env.guests.find((g) => g.name === guestName);
  if (!guest) throw new UsageError(`no guest named ${JSON.stringify(guestName)} in ${env.name}`, `Choose from: ${env.guests.map((g) => g.name).join(', ')}`);
  const stacks = guest.stacks.filter((s): s is PostgresStackSpec => s.kind === 'postgres');
  const withBackup = stacks.filter((s) => s.backup);
  if (withBackup.length === 0) {
    const hint = stacks.length
      ? `Set backup: { mountPoint: ... } on its postgres stack (guests[${guest.index}]).`
      : `Guests with a backed-up postgres stack: ${
          env.guests
            .filter((g) => g.stacks.some((s) => s.kind === 'postgres' && s.backup))
            .map((g) => g.name)
            .join(', ') || 'none'
        }.`;
    throw new UsageError(`${guest.name} in ${env.name} has no postgres stack with backups to verify`, hint);
  }
  const stack = withBackup[0]!;
  return { guest, stack, backupDir: `${stack.backup!.mountPoint}/postgres`, image: stack.image ?? POSTGRES_DEFAULT_IMAGE };
}

/** Label of every drill container, valued with the guest it drills: how a later run finds leftovers. */
export const DRILL_LABEL = 'pvestack.drill.guest';

/** The container's name: unique per run, so a drill never meets another's leftovers. */
export function drillContainerName(guest: string, runId: string): string {
  return `pvestack-drill-${guest}-${runId}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * `docker run` for the drill: no network, the image's postgres uid, the backups read-only (the
 * drill must never change them), everything else in the container's own filesystem, removed on exit.
 */
export function drillRunArgv(target: DrillTarget, name: string): string[] {
  const script = renderDrillScript({
    user: target.stack.user ?? 'app',
    database: target.stack.database,
    ...(target.stack.backup?.verifyQuery ? { query: target.stack.backup.verifyQuery } : {}),
  });
  return [
    'docker',
    'run',
    '--rm',
    '--name',
    name,
    '--label',
    `${DRILL_LABEL}=${target.guest.name}`,
    '--network',
    'none',
    '--user',
    `${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}`,
    '--shm-size',
    '256m',
    '-v',
    `${target.backupDir}:/backup:ro`,
    '--entrypoint',
    'sh',
    target.image,
    '-c',
    script,
  ];
}

/**
 * Records the drill's outcome beside the backups (`drills/last`: `ok <time>` or `failed <time>`),
 * written under a temporary name and renamed, as the image's postgres uid (the owner of the
 * backup mount). postgres_exporter reads it (templates/postgres/exporter-queries.ts) for the
 * RestoreDrillFailed alert.
 */
export function drillRecordArgv(target: DrillTarget, ok: boolean, at: Date): string[] {
  const record = DRILL_RECORD.split('/');
  const script = `mkdir -p /backup/${record[0]} && printf '%s %s\\n' "$1" "$2" > /backup/${record[0]}/.${record[1]}.tmp && mv /backup/${record[0]}/.${record[1]}.tmp /backup/${DRILL_RECORD}`;
  return [
    'docker',
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    `${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}`,
    '-v',
    `${target.backupDir}:/backup`,
    '--entrypoint',
    'sh',
    target.image,
    '-c',
    script,
    'pvestack-drill-record',
    ok ? 'ok' : 'failed',
    at.toISOString(),
  ];
}

/** Removes the drill's container if it is still there (the run was interrupted or timed out). */
export function drillCleanupArgv(name: string): string[] {
  return ['docker', 'rm', '-f', name];
}

/**
 * Drill containers of `guest` that are still there: a drill whose CLI was killed (SIGKILL, a lost
 * SSH connection) leaves its container running until its restore ends (`--rm` then removes it).
 */
export function drillLeftoversArgv(guest: string): string[] {
  return ['docker', 'ps', '-a', '--filter', `label=${DRILL_LABEL}=${guest}`, '--format', '{{.Names}}\t{{.Status}}'];
}

/** A drill container an earlier run left behind. */
export interface DrillLeftover {
  readonly name: string;
  /** As `docker ps` says it: `Up 3 minutes`, `Exited (1) 2 hours ago`. */
  readonly status: string;
}

/** Reads `drillLeftoversArgv`'s output. */
export function parseDrillLeftovers(stdout: string): DrillLeftover[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name = '', status = ''] = line.split('\t');
      return { name: name.trim(), status: status.trim() };
    });
}

export interface DrillReport {
  readonly baseBackup: string;
  readonly baseBackupFinishedAt: string;
  readonly newestArchivedSegment: string;
  /** Commit time of the last transaction replayed; undefined when none was replayed after the base backup. */
  readonly restoredTo?: string;
  readonly replayedLsn: string;
  /** Rows of the verify query, tab-separated columns. */
  readonly rows: readonly (readonly string[])[];
  /** The restored point in time: `restoredTo`, else the base backup's end. */
  readonly pointInTime: string;
  /** Seconds between the restored point in time and `now`: an upper bound of what a loss now would cost. */
  readonly lossWindowSeconds: number;
}

/** Reads the drill's report lines; `now` is the drill's end. */
export function parseDrillReport(stdout: string, now: Date): DrillReport {
  const fields = new Map<string, string>();
  const rows: string[][] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${DRILL_MARK} `)) continue;
    const rest = line.slice(DRILL_MARK.length + 1);
    if (rest.startsWith('row\t')) rows.push(rest.slice(4).split('\t'));
    else {
      const space = rest.indexOf(' ');
      fields.set(space < 0 ? rest : rest.slice(0, space), space < 0 ? '' : rest.slice(space + 1).trim());
    }
  }
  const baseBackupFinishedAt = fields.get('base-finished') ?? '';
  const restoredTo = fields.get('restored-to') || undefined;
  const pointInTime = restoredTo ?? baseBackupFinishedAt;
  const at = Date.parse(pointInTime);
  return {
    baseBackup: fields.get('base') ?? '',
    baseBackupFinishedAt,
    newestArchivedSegment: fields.get('newest-archived') ?? '',
    ...(restoredTo ? { restoredTo } : {}),
    replayedLsn: fields.get('replayed-lsn') ?? '',
    rows,
    pointInTime,
    lossWindowSeconds: Number.isNaN(at) ? Number.NaN : Math.max(0, Math.round((now.getTime() - at) / 1000)),
  };
}
