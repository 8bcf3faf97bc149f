/**
 * PostgreSQL with pgvector: tuned postgresql.conf, pg_hba.conf from the firewall intent, the
 * extensions' init SQL, data on the guest's data disk, the port published on the private
 * address only, and (with `backup`) WAL archiving plus a nightly pg_dump sidecar on the backup mount.
 */
import type { Guest, PostgresStackSpec, StackSpec } from '../../model';
import { datastoreOf, DEFAULT_PORTS, EXPORTER_PORTS, Size } from '../../model';
import { baseBackupScheduleOf } from '../../model/backup-schedule';
import type { ServiceDefinition } from '../compose/service';
import {
  ARCHIVE_TIMEOUT,
  archiveCommand,
  BACKUP_DEFAULT_RETENTION_DAYS,
  BACKUP_DIR,
  BACKUP_FILES,
  BACKUP_SCRIPT_DIR,
  POSTGRES_IMAGE_UID,
  renderArchiveScript,
  renderBaseBackupScript,
  renderRestoreScript,
} from '../postgres/backup';
import { guardDataVolume } from './data-disk-guard';
import { renderExporterQueries } from '../postgres/exporter-queries';
import { DEFAULT_EXTENSIONS, renderInitSql } from '../postgres/init-sql';
import { hbaSources, renderPgHba } from '../postgres/pg-hba';
import { maintenanceWorkMem, PgStorage, PgTuneInput } from '../postgres/pgtune';
import { renderPostgresqlConf } from '../postgres/postgresql-conf';
import { dataDisks, publish, StackContext, StackParts } from './types';

export const POSTGRES_DEFAULT_IMAGE = 'pgvector/pgvector:0.8.0-pg16';
export const POSTGRES_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0';
/** postgres_exporter's port, published on the server's service (the exporter shares its network namespace). */
export const POSTGRES_EXPORTER_PORT = EXPORTER_PORTS.postgres;
const CONF_DIR = '/etc/postgresql';
/** The server's data volume inside the container; PGDATA is a directory below it. */
const DATA_DIR = '/var/lib/postgresql/data';

/** `pgvector/pgvector:0.8.0-pg16` → 16, `postgres:15.6` → 15; 16 when the tag does not say. */
export function pgMajorOf(image: string): number {
  const tag = image.split(':').pop() ?? '';
  const m = /pg(\d+)/.exec(tag) ?? /^(\d+)/.exec(tag);
  return m ? Number(m[1]) : 16;
}

/** Storage class for PGTune: the spec's, else the media of the datastore holding the data disk. */
function storageOf(ctx: StackContext, stack: PostgresStackSpec, dataDatastore?: string): PgStorage {
  if (stack.storage) return stack.storage;
  const media = dataDatastore ? datastoreOf(ctx.env, ctx.guest, dataDatastore)?.media : undefined;
  if (media === 'hdd') return 'hdd';
  if (media === 'network') return 'san';
  if (media === 'nvme') return 'nvme';
  return 'ssd';
}

/** PGTune's inputs for a stack on a guest. */
export function postgresTuneInput(ctx: StackContext, stack: PostgresStackSpec): PgTuneInput {
  const data = dataDisks(ctx.guest)[0];
  return {
    memoryGib: ctx.guest.memoryGib,
    cpus: ctx.guest.cores,
    maxConnections: stack.maxConnections ?? 200,
    profile: stack.profile ?? 'oltp',
    storage: storageOf(ctx, stack, data?.datastore),
    pgMajor: pgMajorOf(stack.image ?? POSTGRES_DEFAULT_IMAGE),
  };
}

/**
 * `/dev/shm` for the server. PostgreSQL's parallel queries (and pgvector's parallel HNSW builds,
 * which keep the graph in dynamic shared memory up to maintenance_work_mem) allocate with
 * `dynamic_shared_memory_type = posix`, i.e. files in /dev/shm; Docker gives 64 MiB, and the
 * query fails with "could not resize shared memory segment" (PostgreSQL docs, runtime-config-resource
 * `dynamic_shared_memory_type` and `min_dynamic_shared_memory`; the postgres image's README,
 * "--shm-size"; pgvector's README, "HNSW index build time"). maintenance_work_mem plus 1 GiB for
 * parallel query, at most half the guest's RAM.
 */
export function postgresShmSizeMib(tune: PgTuneInput): number {
  const mib = Size.mib(1);
  // compose's `shm_size` is written in whole MiB (`<n>m`): rounded up for the want, down for the cap.
  const wanted = maintenanceWorkMem(tune).roundUp(mib).plus(Size.gib(1));
  const halfRam = Size.gib(tune.memoryGib).dividedBy(2).roundDown(mib);
  return Size.min(wanted, halfRam).toMib();
}

/** Metrics-only stacks: they read the host and the GPUs, never the database, so they need no pg_hba line. */
const METRICS_ONLY: readonly StackSpec['kind'][] = ['node-exporter', 'cadvisor', 'dcgm-exporter'];

/** Whether another stack on the guest may connect over the shared Docker network (an exporter beside the server does not). */
function otherStacksOn(guest: Guest, stack: PostgresStackSpec): boolean {
  return guest.stacks.some((s) => s !== stack && !METRICS_ONLY.includes(s.kind));
}

export function postgresStack(ctx: StackContext, stack: PostgresStackSpec): StackParts {
  const port = stack.port ?? DEFAULT_PORTS.postgres;
  const user = stack.user ?? 'app';
  const image = stack.image ?? POSTGRES_DEFAULT_IMAGE;
  const extensions = stack.extensions ?? DEFAULT_EXTENSIONS;
  const data = dataDisks(ctx.guest)[0];
  const backup = stack.backup;
  const tune = postgresTuneInput(ctx, stack);
  const files = [
    {
      path: 'postgresql.conf',
      content: renderPostgresqlConf({
        tune,
        port,
        hbaFile: `${CONF_DIR}/pg_hba.conf`,
        ...(backup ? { archive: { command: archiveCommand(), timeout: ARCHIVE_TIMEOUT } } : {}),
        preload: extensions.includes('pg_stat_statements') ? ['pg_stat_statements'] : [],
      }),
    },
    {
      path: 'pg_hba.conf',
      content: renderPgHba({
        database: stack.database,
        user,
        sources: hbaSources(ctx.env, ctx.guest, port),
        sameHost: otherStacksOn(ctx.guest, stack),
        ...(backup ? { replicationUser: user } : {}),
      }),
    },
    { path: 'initdb/10-extensions.sql', content: renderInitSql(extensions) },
  ];
  // The image's entrypoint (docker-library/postgres, 16/bookworm/Dockerfile: ENTRYPOINT ["docker-entrypoint.sh"]).
  const guard = data ? guardDataVolume(ctx.guest, `${data.mountPoint}/data`, DATA_DIR, 'docker-entrypoint.sh') : undefined;
  const backupVolume = backup ? [`${backup.mountPoint}/postgres:${BACKUP_DIR}`] : [];
  const scripts = backup ? [`./backup:${BACKUP_SCRIPT_DIR}:ro`] : [];
  const services: ServiceDefinition[] = [
    {
      name: 'postgres',
      image,
      // Without the data disk, Docker would create the bind path on the root disk and the image's
      // entrypoint would initialise a new, empty cluster there: refuse to start instead.
      ...(guard ? { entrypoint: guard.entrypoint } : {}),
      command: ['postgres', '-c', `config_file=${CONF_DIR}/postgresql.conf`],
      shmSizeMib: postgresShmSizeMib(tune),
      ports: [publish(ctx.guest, port), publish(ctx.guest, POSTGRES_EXPORTER_PORT)],
      env: { POSTGRES_DB: stack.database, POSTGRES_USER: user, PGDATA: '/var/lib/postgresql/data/pgdata' },
      secretEnv: [{ variable: 'POSTGRES_PASSWORD', secret: stack.passwordSecret }],
      volumes: [
        // On the guest's data disk when it has one (protected, snapshotted), else a named volume.
        data ? `${data.mountPoint}/data:${DATA_DIR}` : `pgdata:${DATA_DIR}`,
        `./postgresql.conf:${CONF_DIR}/postgresql.conf:ro`,
        `./pg_hba.conf:${CONF_DIR}/pg_hba.conf:ro`,
        './initdb:/docker-entrypoint-initdb.d:ro',
        ...scripts,
        ...backupVolume,
        ...(guard?.volumes ?? []),
      ],
      healthcheck: {
        test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', stack.database],
        intervalSeconds: 10,
        timeoutSeconds: 5,
        retries: 6,
        startPeriodSeconds: 30,
      },
      stateful: true,
      // Let PostgreSQL finish a fast shutdown (checkpoint) instead of being killed.
      stopGracePeriodSeconds: 120,
    },
  ];
  files.push({ path: 'monitoring/postgres-exporter-queries.yaml', content: renderExporterQueries(backup !== undefined) });
  services.push({
    name: 'postgres-exporter',
    image: POSTGRES_EXPORTER_IMAGE,
    // In the server's network namespace: it logs in over 127.0.0.1, which pg_hba.conf admits.
    networkMode: 'service:postgres',
    command: [`--web.listen-address=:${POSTGRES_EXPORTER_PORT}`, '--extend.query-path=/etc/postgres-exporter/queries.yaml'],
    env: { DATA_SOURCE_URI: `127.0.0.1:${port}/${stack.database}?sslmode=disable`, DATA_SOURCE_USER: user },
    secretEnv: [{ variable: 'DATA_SOURCE_PASS', secret: stack.passwordSecret }],
    volumes: ['./monitoring/postgres-exporter-queries.yaml:/etc/postgres-exporter/queries.yaml:ro'],
    dependsOn: ['postgres'],
  });
  if (backup) {
    const retentionDays = backup.retentionDays ?? BACKUP_DEFAULT_RETENTION_DAYS;
    files.push(
      { path: BACKUP_FILES.archive, content: renderArchiveScript() },
      { path: BACKUP_FILES.base, content: renderBaseBackupScript({ user, port, retentionDays, schedule: baseBackupScheduleOf(stack) }) },
      { path: BACKUP_FILES.restore, content: renderRestoreScript() },
    );
    services.push({
      name: 'pg-backup',
      image,
      entrypoint: ['sh', `${BACKUP_SCRIPT_DIR}/pg-backup.sh`],
      // The same user as the server's archive_command, so base backups and WAL on the box have one
      // owner, the one the mount gives write access to (templates/storage-box-units.ts).
      user: `${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}`,
      networkMode: 'service:postgres',
      secretEnv: [{ variable: 'PGPASSWORD', secret: stack.passwordSecret }],
      volumes: [...scripts, ...backupVolume],
      dependsOn: ['postgres'],
    });
  }
  return { services, files };
}
