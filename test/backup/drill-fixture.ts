/**
 * A real backup for restore-drill tests: the rendered archive and base-backup scripts of a postgres
 * stack run on Debian's PostgreSQL 15 (as uid 999, like the image) against a scratch backup
 * directory. Rows before the base backup, rows after it in two archived segments, then the server
 * stopped with `-m immediate`. The local drill suite and the SSH one restore this same backup.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { PostgresStackSpec } from '../../model';
import { gpusOf } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { BACKUP_DIR, BACKUP_FILES, BACKUP_SCRIPT_DIR, POSTGRES_IMAGE_UID } from '../../templates/postgres/backup';
import { postgresStack } from '../../templates/stacks/postgres';
import { buildPostgresImage, HOST_PGBIN, POSTGRES_TEST_IMAGE } from '../support/postgres-image';
import { freePort, run, waitFor } from '../support/tools';

export const NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so';
const PASSWORD = 'test-only-drill-password';

/** The tools the fixture drives. */
export const DRILL_FIXTURE_TOOLS = ['docker', 'setpriv', 'psql', `${HOST_PGBIN}/pg_basebackup`, NSS_WRAPPER];

/** Spec parts of the drilled guest: what a test's spec file puts on its `db` guest. */
export interface DrillGuestParts {
  readonly storageBoxMounts: readonly unknown[];
  readonly stacks: readonly unknown[];
}

export interface DrillBackup {
  /** The Storage Box mount point the guest's postgres stack backs up to. */
  readonly mnt: string;
  /** `<mnt>/postgres`: the stack's backup directory. */
  readonly box: string;
  /** The WAL segment written after the base backup (a corrupt copy must fail the drill). */
  readonly segmentAfterBase: string;
  /** The secrets and box of the spec, and the `db` guest's parts, for a test's own spec file. */
  readonly specParts: {
    readonly secrets: Record<string, { readonly env: string; readonly description: string }>;
    readonly storageBoxes: readonly unknown[];
    guest(verifyQuery?: string): DrillGuestParts;
  };
  /** The outcome the last drill recorded beside the backups. */
  drillRecord(): string;
  /** Runs `argv` as the image's postgres uid (nss_wrapper gives it a passwd entry). */
  asPostgres(argv: string[], env?: Record<string, string>): ReturnType<typeof spawnSync>;
  /** SQL on the server (while it runs). */
  sql(q: string, db?: string): string;
  /** pg_ctl options the server runs with (the rendered postgresql.conf). */
  readonly serverOptions: string;
  readonly dataDir: string;
  readonly releaseDir: string;
  /** Stops a server left running and removes nothing else (the scratch directory is the caller's). */
  stopServer(): void;
}

/** Writes a spec whose one guest, `db`, is this machine (an external host on 127.0.0.1) holding the drilled stack. */
export function writeLocalDrillSpec(file: string, name: string, parts: DrillBackup['specParts']): void {
  fs.writeFileSync(
    file,
    stringify({
      name,
      cluster: { nodes: [] },
      networks: [{ name: 'local', bridge: 'lo', cidr: '127.0.0.0/8', gateway: '127.0.0.1' }],
      admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G t@example.org'] },
      secrets: parts.secrets,
      storageBoxes: parts.storageBoxes,
      guests: [{ name: 'db', kind: 'external', role: 'db', cores: 2, memoryGib: 2, ipv4: '127.0.0.1', ...parts.guest() }],
    }),
  );
}

/** Makes the backup under `dir` (a scratch directory) with the test Docker engine's image built. */
export async function makeDrillBackup(dir: string, dockerHost: string): Promise<DrillBackup> {
  buildPostgresImage(dockerHost);
  const port = await freePort();
  const mnt = path.join(dir, 'mnt');
  const box = path.join(mnt, 'postgres');
  const release = path.join(dir, 'release');
  const data = path.join(dir, 'data');
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'passwd'), `postgres:x:${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}:postgres:/nonexistent:/bin/sh\n`);
  fs.writeFileSync(path.join(dir, 'group'), `postgres:x:${POSTGRES_IMAGE_UID}:\n`);
  const asPostgres = (argv: string[], env: Record<string, string> = {}) =>
    spawnSync('setpriv', [`--reuid=${POSTGRES_IMAGE_UID}`, `--regid=${POSTGRES_IMAGE_UID}`, '--clear-groups', '--', ...argv], {
      encoding: 'utf8',
      env: {
        PATH: `${HOST_PGBIN}:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
        LD_PRELOAD: NSS_WRAPPER,
        NSS_WRAPPER_PASSWD: path.join(dir, 'passwd'),
        NSS_WRAPPER_GROUP: path.join(dir, 'group'),
        ...env,
      },
    });
  const sql = (q: string, db = 'shop') =>
    run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', q], {
      env: { ...process.env, PGPASSWORD: PASSWORD },
    }).trim();
  const secrets = { 'db-password': { env: 'DRILL_DB_PASSWORD', description: 'database password' }, box: { env: 'DRILL_BOX', description: 'box password' } };
  const storageBoxes = [{ name: 'box', host: 'u100001.your-storagebox.de', user: 'u100001', passwordSecret: 'box' }];
  const guest = (verifyQuery?: string): DrillGuestParts => ({
    storageBoxMounts: [{ box: 'box', mountPoint: mnt }],
    stacks: [
      {
        kind: 'postgres',
        image: POSTGRES_TEST_IMAGE,
        database: 'shop',
        passwordSecret: 'db-password',
        port,
        backup: { mountPoint: mnt, ...(verifyQuery ? { verifyQuery } : {}) },
      },
    ],
  });

  // The rendered stack of such a spec: its scripts make the backup the drill restores.
  const specFile = path.join(dir, 'render.yaml');
  writeLocalDrillSpec(specFile, 'drillrender', { secrets, storageBoxes, guest });
  const env = loadEnvironment(specFile);
  const g = env.guests[0]!;
  const parts = postgresStack({ env, guest: g, gpus: gpusOf(env, g), options: {} }, g.stacks[0] as PostgresStackSpec);
  fs.mkdirSync(path.join(release, 'backup'), { recursive: true });
  const swap = (text: string) =>
    text
      .replace(new RegExp(`(^|[=\\s'"])${BACKUP_DIR}(?=[/\\s'"]|$)`, 'gm'), `$1${box}`)
      .replaceAll(`${BACKUP_SCRIPT_DIR}/`, `${release}/backup/`)
      .replaceAll('/etc/postgresql/pg_hba.conf', path.join(release, 'pg_hba.conf'));
  for (const f of parts.files) if (f.path.startsWith('backup/') || f.path.endsWith('.conf')) fs.writeFileSync(path.join(release, f.path), swap(f.content));
  fs.mkdirSync(box, { recursive: true });
  run('chown', ['-R', `${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}`, mnt, release]);
  fs.chmodSync(box, 0o700);
  fs.mkdirSync(data, { mode: 0o700 });
  fs.chownSync(data, POSTGRES_IMAGE_UID, POSTGRES_IMAGE_UID);
  fs.writeFileSync(path.join(dir, 'pw'), PASSWORD);
  const initdb = asPostgres([`${HOST_PGBIN}/initdb`, '-D', data, '-U', 'app', `--pwfile=${path.join(dir, 'pw')}`, '-E', 'UTF8', '--locale=C.UTF-8']);
  expect(initdb.status, String(initdb.stderr)).toBe(0);
  // As the image starts it: `-c config_file=` the rendered file; PGDATA keeps initdb's defaults.
  const serverOptions = `-c config_file=${path.join(release, 'postgresql.conf')} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  const started = asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-l', path.join(release, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
  expect(started.status, String(started.stderr)).toBe(0);
  sql('CREATE DATABASE shop', 'postgres');
  sql('CREATE TABLE orders (id int PRIMARY KEY, note text)');
  sql('CREATE TABLE customers (id int PRIMARY KEY)');
  sql("INSERT INTO orders SELECT g, 'before the base backup' FROM generate_series(1, 300) g");
  sql('INSERT INTO customers SELECT generate_series(1, 42)');
  const base = asPostgres(['sh', path.join(release, BACKUP_FILES.base), 'once'], { PGPASSWORD: PASSWORD });
  expect(base.status, String(base.stderr)).toBe(0);
  sql("INSERT INTO orders SELECT g, 'after the base backup' FROM generate_series(301, 500) g");
  const segmentAfterBase = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
  sql('SELECT pg_switch_wal()');
  sql("INSERT INTO orders SELECT g, 'in the newest segment' FROM generate_series(501, 600) g");
  const newest = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
  sql('SELECT pg_switch_wal()');
  await waitFor(`${newest} archived`, () => fs.existsSync(path.join(box, 'wal', newest)), 60_000);
  asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
  return {
    mnt,
    box,
    segmentAfterBase,
    specParts: { secrets, storageBoxes, guest },
    drillRecord: () => fs.readFileSync(path.join(box, 'drills', 'last'), 'utf8'),
    asPostgres,
    sql,
    serverOptions,
    dataDir: data,
    releaseDir: release,
    stopServer() {
      const pid = path.join(data, 'postmaster.pid');
      if (fs.existsSync(pid)) spawnSync('kill', ['-9', fs.readFileSync(pid, 'utf8').split('\n')[0]!]);
    },
  };
}
