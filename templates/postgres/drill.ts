/**
 * The restore drill's script (`pvestack backup verify`): it runs inside a throwaway container of
 * the server image, as the image's postgres user, with the backup directory mounted read-only.
 * It restores the newest base backup plus the archived WAL with the stack's own restore script
 * (`--drill`: no archiving, so nothing is written back to the box), starts PostgreSQL on a
 * socket only, waits for recovery to end, and reports what it restored on lines starting with
 * `DRILL_MARK`. It fails (non-zero) when any step fails, including when replay stopped before
 * the newest archived segment: a corrupt or missing segment would otherwise end recovery early,
 * silently, and the drill would report a database that lacks the newest transactions.
 */
import { BACKUP_DIR, renderRestoreScript } from './backup';

/** Prefix of every report line of the drill. */
export const DRILL_MARK = 'pvestack-drill';

/** Row counts of every table: exact (`count(*)` per table through query_to_xml), in one query. */
export const DEFAULT_VERIFY_QUERY = [
  "SELECT format('%I.%I', table_schema, table_name) AS table_name,",
  "  (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint AS row_count",
  'FROM information_schema.tables',
  "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
  'ORDER BY 1;',
].join('\n');

export interface DrillScriptInput {
  readonly user: string;
  readonly database: string;
  /** @default DEFAULT_VERIFY_QUERY */
  readonly query?: string;
  /** The backup directory inside the container. @default BACKUP_DIR */
  readonly backupDir?: string;
}

function heredoc(path: string, marker: string, content: string): string {
  return `cat > ${path} <<'${marker}'\n${content.endsWith('\n') ? content : `${content}\n`}${marker}\n`;
}

export function renderDrillScript(input: DrillScriptInput): string {
  const box = input.backupDir ?? BACKUP_DIR;
  const work = '/tmp/pvestack-drill';
  return `set -eu
work=${work}
mkdir -p "$work"
${heredoc('"$work/restore.sh"', 'PVESTACK_RESTORE_SCRIPT', renderRestoreScript())}${heredoc('"$work/query.sql"', 'PVESTACK_VERIFY_QUERY', input.query ?? DEFAULT_VERIFY_QUERY)}sh "$work/restore.sh" --drill ${box} "$work/pgdata" latest >&2
base=$(ls -1 ${box}/base | sort | tail -n 1)
echo "${DRILL_MARK} base $base"
echo "${DRILL_MARK} base-finished $(cat ${box}/base/$base/finished-at)"
newest=$(ls -1 ${box}/wal | grep -E '^[0-9A-F]{24}$' | sort | tail -n 1 || true)
echo "${DRILL_MARK} newest-archived $newest"
printf 'local all all trust\\n' > "$work/hba.conf"
# Recovery refuses settings below the primary's (PostgreSQL docs, hot standby "Administrator's
# Overview"); the control file records them, so the drill takes them from there.
ctl() { pg_controldata "$work/pgdata" | sed -n "s/^$1 setting: *//p"; }
limits="-c max_connections=$(ctl max_connections) -c max_worker_processes=$(ctl max_worker_processes) -c max_wal_senders=$(ctl max_wal_senders) -c max_prepared_transactions=$(ctl max_prepared_xacts) -c max_locks_per_transaction=$(ctl max_locks_per_xact)"
if ! pg_ctl -D "$work/pgdata" -l "$work/server.log" -w -t 3600 -o "-c listen_addresses='' -c unix_socket_directories=$work -c port=5432 -c hba_file=$work/hba.conf -c shared_preload_libraries='' -c archive_mode=off $limits" start >&2; then
  tail -n 40 "$work/server.log" >&2
  exit 1
fi
q() { psql -h "$work" -p 5432 -U ${input.user} -d ${input.database} -X -q -v ON_ERROR_STOP=1 -A -t -F '	' "$@"; }
i=0
until [ "$(q -c 'SELECT pg_is_in_recovery()')" = f ]; do
  i=$((i + 1))
  [ "$i" -lt 3600 ] || { echo "recovery did not end within an hour" >&2; exit 1; }
  sleep 1
done
echo "${DRILL_MARK} restored-to $(q -c "SELECT coalesce(to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\\"T\\"HH24:MI:SS.US\\"Z\\"'), '')")"
echo "${DRILL_MARK} replayed-lsn $(q -c 'SELECT pg_last_wal_replay_lsn()')"
if [ -n "$newest" ]; then
  log=$(echo "$newest" | cut -c9-16 | sed 's/^0*//')
  seg=$(echo "$newest" | cut -c23-24)
  reached=$(q -c "SELECT pg_last_wal_replay_lsn() >= '\${log:-0}/\${seg}000000'::pg_lsn")
  if [ "$reached" != t ]; then
    echo "replay stopped before the newest archived segment $newest: a segment is missing or corrupt" >&2
    grep -E 'invalid|corrupt|incorrect|could not|FATAL|PANIC' "$work/server.log" | tail -n 10 >&2 || true
    exit 1
  fi
fi
q -f "$work/query.sql" | sed "s/^/${DRILL_MARK} row	/"
pg_ctl -D "$work/pgdata" -m fast -w stop >&2
`;
}
