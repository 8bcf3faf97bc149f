/**
 * Extra queries for postgres_exporter (`--extend.query-path`): the data-path facts the alert rules
 * (`templates/monitoring/alert-rules.ts`) need, read where they are true. The WAL archiver's
 * counters from `pg_stat_archiver`; the age of the newest complete base backup and the outcome of
 * the last restore drill from the backup directory the server itself mounts (`pg_ls_dir`,
 * `pg_stat_file`, `pg_read_file`: superuser functions, and the exporter logs in as the stack's
 * user, which the image creates as superuser). A metric is `<query name>_<column>`.
 */
import { yamlText } from '../yaml-text';
import { BACKUP_DIR } from './backup';

/** Where `pvestack backup verify` records its outcome (`ok <time>` or `failed <time>`), beside the backups. */
export const DRILL_RECORD = 'drills/last';

export function renderExporterQueries(backup: boolean, dir: string = BACKUP_DIR): string {
  const gauge = (description: string) => ({ usage: 'GAUGE', description });
  const queries: Record<string, unknown> = {
    pvestack_pg_archiver: {
      query:
        'SELECT failed_count, coalesce(extract(epoch FROM last_failed_time), 0) AS last_failed_time_seconds, coalesce(extract(epoch FROM last_archived_time), 0) AS last_archived_time_seconds FROM pg_stat_archiver',
      metrics: [
        { failed_count: { usage: 'COUNTER', description: 'WAL segments archive_command failed on' } },
        { last_failed_time_seconds: gauge('Unix time of the last failed archive attempt (0: never)') },
        { last_archived_time_seconds: gauge('Unix time of the last archived segment (0: never)') },
      ],
    },
  };
  if (backup) {
    queries.pvestack_pg_base_backup = {
      query: `SELECT coalesce(extract(epoch FROM now() - max((pg_stat_file('${dir}/base/' || d || '/finished-at', true)).modification)), 1e10) AS age_seconds FROM pg_ls_dir('${dir}/base', true, false) AS d WHERE d NOT LIKE '.%'`,
      metrics: [{ age_seconds: gauge('Seconds since the newest complete base backup finished (1e10: none)') }],
    };
    queries.pvestack_restore_drill = {
      query: `SELECT CASE WHEN split_part(r, ' ', 1) = 'ok' THEN 1 ELSE 0 END AS last_ok, coalesce(extract(epoch FROM now() - (pg_stat_file('${dir}/${DRILL_RECORD}', true)).modification), 1e10) AS age_seconds FROM coalesce(pg_read_file('${dir}/${DRILL_RECORD}', 0, 200, true), 'none') AS r`,
      metrics: [{ last_ok: gauge('1 when the last restore drill passed') }, { age_seconds: gauge('Seconds since the last restore drill (1e10: none)') }],
    };
  }
  return `# Rendered by pvestack; change the environment spec, not this file.\n${yamlText(queries)}`;
}
