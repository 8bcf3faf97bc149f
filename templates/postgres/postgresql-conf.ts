/**
 * postgresql.conf: connection settings, PGTune's sizing (see pgtune.ts for the pinned
 * generation), pg_stat_statements preloading and WAL archiving to the backup mount.
 */
import { PGTUNE_GENERATION, PgSetting, pgtune, PgTuneInput } from './pgtune';

export interface PostgresqlConfInput {
  readonly tune: PgTuneInput;
  readonly port: number;
  /** Path of pg_hba.conf as the server sees it. */
  readonly hbaFile: string;
  /** WAL archiving to the backup mount (`templates/postgres/backup.ts`); no archiving when absent. */
  readonly archive?: { readonly command: string; readonly timeout: string };
  /** Libraries to preload, e.g. `pg_stat_statements` (which needs it). */
  readonly preload: readonly string[];
}

/** A value as postgresql.conf wants it: numbers and units bare, text single-quoted. */
function confValue(value: string): string {
  return /^-?\d+(\.\d+)?([kMGT]B|ms|s|min|h|d)?$|^(on|off|try)$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

function lines(settings: readonly PgSetting[]): string[] {
  return settings.map((s) => `${s.name} = ${confValue(s.value)}`);
}

export function renderPostgresqlConf(input: PostgresqlConfInput): string {
  const t = input.tune;
  const out = [
    '# Rendered by pvestack; change the environment spec, not this file.',
    `# Sizing: PGTune generation ${PGTUNE_GENERATION}, inputs: ${t.memoryGib} GiB RAM, ${t.cpus} vCPU, ${t.storage}, ${t.maxConnections} connections, profile ${t.profile}, PostgreSQL ${t.pgMajor}.`,
    '',
    '# Connections',
    ...lines([
      { name: 'listen_addresses', value: '*' },
      { name: 'port', value: String(input.port) },
      { name: 'hba_file', value: input.hbaFile },
      { name: 'password_encryption', value: 'scram-sha-256' },
    ]),
    '',
    '# Sizing (PGTune)',
    ...lines(pgtune(t)),
    '',
    '# Extensions',
    ...lines([{ name: 'shared_preload_libraries', value: input.preload.join(',') }]),
  ];
  if (input.archive) {
    out.push(
      '',
      '# Continuous WAL archiving to the backup mount (base backups and retention: the pg-backup sidecar)',
      ...lines([
        // wal_level replica (the default) is what archiving and pg_basebackup need; said explicitly
        // because `minimal` silently makes archived WAL useless for recovery.
        { name: 'wal_level', value: 'replica' },
        { name: 'archive_mode', value: 'on' },
        { name: 'archive_command', value: input.archive.command },
        { name: 'archive_timeout', value: input.archive.timeout },
      ]),
    );
  }
  return `${out.join('\n')}\n`;
}
