/**
 * Physical backups of PostgreSQL with point-in-time recovery: `pg_basebackup` base backups plus
 * continuous WAL archiving (`archive_command`) to the backup mount (a Storage Box), with
 * retention for both and one restore script. Why these tools rather than pgBackRest or WAL-G:
 * see the README ("Backups and restore"); in short, they ship inside the server image itself, so
 * their version always matches the server and nothing else has to be built, pinned or trusted.
 *
 * Layout under the backup directory (`/backup` inside the containers):
 * - `wal/<segment>`: archived WAL; written under a temporary name, fsynced, then renamed, so a
 *   dropped CIFS session never leaves a partial file under a final name;
 * - `base/<UTC stamp>/`: one complete base backup (`base.tar.gz`, `pg_wal.tar.gz`,
 *   `backup_manifest`, `start-wal`, `finished-at`); it is built in `base/.<stamp>.partial/` and
 *   renamed when complete, so a listing never shows a half-written backup.
 *
 * All three scripts are POSIX sh for the server image (Debian: coreutils, diffutils, tar, gzip).
 */

import type { BaseBackupSchedule } from '../../model/backup-schedule';

/** Where the backup directory is mounted inside the server and sidecar containers. */
export const BACKUP_DIR = '/backup';
/** Where the stack's backup scripts are mounted inside its containers. */
export const BACKUP_SCRIPT_DIR = '/pvestack';
export const BACKUP_DEFAULT_RETENTION_DAYS = 14;
/**
 * A segment is archived when full or after this long, whichever comes first: the most a team
 * loses when the database VM and its disk are gone together (PostgreSQL docs, `archive_timeout`:
 * each forced switch still archives a whole 16 MB segment, so it is not set lower than a minute).
 */
export const ARCHIVE_TIMEOUT = '60s';

/** The uid and gid of `postgres` in the official postgres (and pgvector) images. */
export const POSTGRES_IMAGE_UID = 999;

/** File names of the rendered scripts, relative to the stack's release directory. */
export const BACKUP_FILES = { archive: 'backup/archive-wal.sh', base: 'backup/pg-backup.sh', restore: 'backup/restore.sh' } as const;

/** The `archive_command` that runs the archive script for a segment. */
export function archiveCommand(scriptDir: string = BACKUP_SCRIPT_DIR): string {
  return `sh ${scriptDir}/archive-wal.sh %p %f`;
}

/**
 * The archive script (`archive-wal.sh <path> <file name>`). PostgreSQL's "Continuous Archiving"
 * chapter (doc/src/sgml/backup.sgml, "Setting Up WAL Archiving") asks that the command refuse to
 * overwrite an existing archive file with different content but succeed when the same file is
 * archived again (a retry after a crash between copy and bookkeeping), and that it return
 * non-zero on any failure so the segment is retried and never recycled. Copy to a temporary name,
 * fsync, rename: the final name only ever holds a complete segment.
 */
export function renderArchiveScript(dir: string = BACKUP_DIR): string {
  return `#!/bin/sh
# Rendered by pvestack: archive_command of PostgreSQL. Usage: archive-wal.sh %p %f
set -eu
src=$1
name=$2
wal=${dir}/wal
dest="$wal/$name"
if [ -f "$dest" ]; then
  cmp -s "$src" "$dest" && exit 0
  echo "archive-wal: $dest already exists with different content; not overwriting it" >&2
  exit 1
fi
mkdir -p "$wal"
tmp="$wal/.$name.$$.partial"
trap 'rm -f "$tmp"' EXIT
cp "$src" "$tmp"
sync "$tmp"
mv "$tmp" "$dest"
trap - EXIT
`;
}

export interface BaseBackupScriptInput {
  readonly user: string;
  readonly port: number;
  readonly retentionDays: number;
  /** When base backups run (`backup.schedule` of the spec, resolved). */
  readonly schedule: BaseBackupSchedule;
  /** The backup directory as the sidecar sees it. @default BACKUP_DIR */
  readonly dir?: string;
}

/**
 * The sidecar's timer: the next run is `date -d "today HH:MM"` (daily) or `date -d "sun HH:MM"`
 * (weekly; GNU date reads a weekday as that day of this week, today included), moved one period on
 * when it is not in the future. GNU coreutils' `date -d` ("Date input formats", "Day of week
 * items"): the server images are Debian (the official postgres image's Dockerfile starts `FROM
 * debian`), so `date` is GNU's.
 */
function timerLines(s: BaseBackupSchedule): { first: string; next: string; period: number; when: string } {
  return s.every === 'weekly'
    ? { first: `${s.at} UTC on ${s.day}`, next: `${s.day} ${s.at}`, period: 7 * 86400, when: `at ${s.at} UTC weekly on ${s.day}` }
    : { first: `${s.at} UTC`, next: `today ${s.at}`, period: 86400, when: `at ${s.at} UTC daily` };
}

/**
 * The base-backup sidecar (`pg-backup.sh`, or `pg-backup.sh once` for a single backup). It takes a
 * base backup at start when none exists, then on the schedule (daily or weekly at a UTC time,
 * retrying every 15 minutes after a failure), and after each success removes base backups older than the retention (always
 * keeping the newest) and, with `pg_archivecleanup`, the WAL that the oldest kept one no longer
 * needs. `-X stream` puts the WAL the backup itself needs into it, so a base backup restores even
 * if the archive lost a segment; `-c fast` starts it without waiting for a scheduled checkpoint.
 */
export function renderBaseBackupScript(b: BaseBackupScriptInput): string {
  const dir = b.dir ?? BACKUP_DIR;
  const timer = timerLines(b.schedule);
  return `#!/bin/sh
# Rendered by pvestack: pg_basebackup ${timer.when} (and at start when none exists);
# base backups and archived WAL are kept ${b.retentionDays} days (the newest base backup always).
set -u
dir=${dir}

take() {
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  tmp="$dir/base/.$stamp.partial"
  rm -rf "$dir"/base/.*.partial
  mkdir -p "$tmp" "$dir/wal" || return 1
  if ! pg_basebackup -h 127.0.0.1 -p ${b.port} -U ${b.user} -w -D "$tmp" -Ft -z -X stream -c fast -l "pvestack $stamp"; then
    rm -rf "$tmp"
    return 1
  fi
  tar -xzOf "$tmp/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .*(file \\([0-9A-F]*\\))$/\\1/p' > "$tmp/start-wal"
  [ -s "$tmp/start-wal" ] || { echo "pg-backup: no START WAL LOCATION in backup_label" >&2; rm -rf "$tmp"; return 1; }
  date -u +%Y-%m-%dT%H:%M:%SZ > "$tmp/finished-at"
  sync "$tmp"/* && mv "$tmp" "$dir/base/$stamp" || { rm -rf "$tmp"; return 1; }
  echo "pg-backup: base backup $stamp complete"
  prune
}

prune() {
  newest=$(ls -1 "$dir/base" | sort | tail -n 1)
  for b in $(ls -1 "$dir/base" | sort); do
    [ "$b" = "$newest" ] && continue
    [ -n "$(find "$dir/base/$b/finished-at" -mtime +${b.retentionDays} 2>/dev/null)" ] && rm -rf "$dir/base/$b"
  done
  oldest=$(ls -1 "$dir/base" | sort | head -n 1)
  pg_archivecleanup "$dir/wal" "$(cat "$dir/base/$oldest/start-wal")"
}

if [ "\${1:-}" = once ]; then
  take
  exit $?
fi
mkdir -p "$dir/base" "$dir/wal"
until pg_isready -h 127.0.0.1 -p ${b.port} -q; do sleep 5; done
if [ -z "$(ls -1 "$dir/base")" ]; then
  take || echo "pg-backup: first base backup failed; next attempt at ${timer.first}" >&2
fi
while :; do
  now=$(date -u +%s)
  next=$(date -u -d "${timer.next}" +%s)
  [ "$next" -gt "$now" ] || next=$((next + ${timer.period}))
  sleep $((next - now)) & wait $!
  until take; do
    echo "pg-backup: base backup failed; retrying in 15 minutes" >&2
    sleep 900 & wait $!
  done
done
`;
}

/**
 * The documented restore (`restore.sh [--drill] <backup dir> <empty data dir> [base backup] [old pg_wal]`),
 * following PostgreSQL's "Recovering Using a Continuous Archive Backup" (backup.sgml): unpack the
 * base backup and its WAL, copy the unarchived segments of the old server's `pg_wal` when it is
 * still readable (without them, what was committed after the last archived segment is lost),
 * set `restore_command` to read the archive, create `recovery.signal`; starting PostgreSQL on the
 * directory then replays every archived segment and promotes at the end of the WAL.
 */
export function renderRestoreScript(): string {
  // After promotion the restored server starts a new timeline and, with archiving on, writes it
  // into the same archive; a later restore with recovery_target_timeline 'latest' follows it.
  // That is right for the server that replaces the lost one, and wrong for a drill.
  return `#!/bin/sh
# Rendered by pvestack: restore a base backup plus archived WAL into an empty data directory.
# Usage: restore.sh [--drill] BACKUP_DIR TARGET_PGDATA [BASE_BACKUP|latest] [OLD_PG_WAL_DIR]
# Run it as the user PostgreSQL runs as, then start PostgreSQL on TARGET_PGDATA.
# --drill: a test restore; it never archives, so its new timeline cannot enter the real archive.
set -eu
drill=
if [ "\${1:-}" = --drill ]; then
  drill=1
  shift
fi
root=$1
target=$2
name=\${3:-latest}
old_wal=\${4:-}
[ "$name" != latest ] || name=$(ls -1 "$root/base" 2>/dev/null | sort | tail -n 1)
if [ -z "$name" ] || [ ! -s "$root/base/$name/base.tar.gz" ]; then
  echo "restore: no complete base backup under $root/base" >&2
  exit 1
fi
if [ -d "$target" ] && [ -n "$(ls -A "$target")" ]; then
  echo "restore: $target is not empty; restore into an empty directory" >&2
  exit 1
fi
mkdir -p "$target"
chmod 0700 "$target"
tar -xzf "$root/base/$name/base.tar.gz" -C "$target"
tar -xzf "$root/base/$name/pg_wal.tar.gz" -C "$target/pg_wal"
if [ -n "$old_wal" ] && [ -d "$old_wal" ]; then
  find "$old_wal" -maxdepth 1 -type f -name '[0-9A-F]*' -exec cp {} "$target/pg_wal/" \\;
fi
cat >> "$target/postgresql.auto.conf" <<EOF
restore_command = 'cp "$root/wal/%f" "%p"'
recovery_target_timeline = 'latest'
recovery_target_action = 'promote'
EOF
[ -z "$drill" ] || echo "archive_mode = off" >> "$target/postgresql.auto.conf"
touch "$target/recovery.signal"
echo "restore: base backup $name unpacked into $target; start PostgreSQL on it to replay the archived WAL"
`;
}
