/**
 * Nightly logical backups. A small sidecar service runs this script with the same image as the
 * server (so `pg_dump` matches the server version) in the server's network namespace: it needs
 * no host setup, no cron, and shows up in `docker compose ps` and its logs next to the database.
 * (A systemd timer would need host packages of the right PostgreSQL version and a unit outside
 * the stack's release directory.) After each successful dump it prunes dumps and archived WAL
 * segments older than the retention.
 */
export interface BackupScriptInput {
  readonly database: string;
  readonly user: string;
  readonly port: number;
  readonly retentionDays: number;
  /** Mount point of the backup directory inside the sidecar. */
  readonly dir: string;
  /** UTC time of day, `HH:MM`. */
  readonly at: string;
}

export const BACKUP_DEFAULT_RETENTION_DAYS = 14;
export const BACKUP_TIME_UTC = '02:30';

/** The sidecar's shell script; the password comes from PGPASSWORD in its env file. */
export function renderBackupScript(b: BackupScriptInput): string {
  return `#!/bin/sh
# Rendered by pvestack: nightly pg_dump of ${b.database} at ${b.at} UTC, ${b.retentionDays} days retention.
set -u
mkdir -p ${b.dir}/dumps ${b.dir}/wal
while :; do
  now=$(date -u +%s)
  next=$(date -u -d "today ${b.at}" +%s)
  [ "$next" -gt "$now" ] || next=$((next + 86400))
  sleep $((next - now)) & wait $!
  file=${b.dir}/dumps/${b.database}-$(date -u +%Y%m%dT%H%M%SZ).dump
  if pg_dump -h 127.0.0.1 -p ${b.port} -U ${b.user} -d ${b.database} -Fc -f "$file.partial"; then
    mv "$file.partial" "$file"
    find ${b.dir}/dumps -name '*.dump' -mtime +${b.retentionDays} -delete
    find ${b.dir}/wal -type f -mtime +${b.retentionDays} -delete
    echo "backup: wrote $file"
  else
    rm -f "$file.partial"
    echo "backup: pg_dump failed" >&2
  fi
done
`;
}
