/**
 * `pvestack backup verify` for real: a backup made by the rendered archive and base-backup
 * scripts on Debian's PostgreSQL 15 (as uid 999, like the image), then the CLI's restore drill in
 * a container of a locally built PostgreSQL image on the test Docker engine. A good backup
 * restores with every row and a restored point in time; a corrupt WAL segment and a truncated
 * base backup make the drill fail loudly (exit 1), and no drill container is left behind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { PostgresStackSpec } from '../../model';
import { gpusOf } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { BACKUP_DIR, BACKUP_FILES, BACKUP_SCRIPT_DIR, POSTGRES_IMAGE_UID } from '../../templates/postgres/backup';
import { renderExporterQueries } from '../../templates/postgres/exporter-queries';
import { postgresStack } from '../../templates/stacks/postgres';
import { buildPostgresImage, HOST_PGBIN, POSTGRES_TEST_IMAGE } from '../support/postgres-image';
import { describeWithTools, freePort, run, scratchDir, waitFor } from '../support/tools';

const dockerHost = inject('dockerHost');
const CLI = path.join(__dirname, '..', '..', 'bin', 'pvestack.js');
const NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so';
const PASSWORD = 'test-only-drill-password';

describeWithTools(
  'pvestack backup verify: a restore drill on a real Docker engine',
  dockerHost ? ['docker', 'setpriv', 'psql', `${HOST_PGBIN}/pg_basebackup`, NSS_WRAPPER] : ['dockerd-started-by-global-setup'],
  () => {
    const scratch = scratchDir('pvestack-drill-');
    const mnt = path.join(scratch.dir, 'mnt');
    const box = path.join(mnt, 'postgres');
    const specFile = path.join(scratch.dir, 'drill.yaml');
    const dockerEnv = { ...process.env, DOCKER_HOST: dockerHost };
    let port = 0;
    let segmentAfterBase = '';
    let opts = '';
    const drillRecord = () => fs.readFileSync(path.join(box, 'drills', 'last'), 'utf8');
    const asPostgres = (argv: string[], env: Record<string, string> = {}) =>
      spawnSync('setpriv', [`--reuid=${POSTGRES_IMAGE_UID}`, `--regid=${POSTGRES_IMAGE_UID}`, '--clear-groups', '--', ...argv], {
        encoding: 'utf8',
        env: {
          PATH: `${HOST_PGBIN}:/usr/bin:/bin`,
          LANG: 'C.UTF-8',
          LD_PRELOAD: NSS_WRAPPER,
          NSS_WRAPPER_PASSWD: path.join(scratch.dir, 'passwd'),
          NSS_WRAPPER_GROUP: path.join(scratch.dir, 'group'),
          ...env,
        },
      });
    const sql = (q: string, db = 'shop') =>
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', q], {
        env: { ...process.env, PGPASSWORD: PASSWORD },
      }).trim();
    const verify = () =>
      spawnSync('node', [CLI, '--json', 'backup', 'verify', specFile, 'db', '--local'], { env: dockerEnv, encoding: 'utf8', timeout: 240_000 });
    const drillContainers = () => spawnSync('docker', ['ps', '-aq', '--filter', 'name=pvestack-drill-'], { env: dockerEnv, encoding: 'utf8' }).stdout.trim();

    beforeAll(async () => {
      buildPostgresImage(dockerHost);
      port = await freePort();
      fs.chmodSync(scratch.dir, 0o755);
      fs.writeFileSync(path.join(scratch.dir, 'passwd'), `postgres:x:${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}:postgres:/nonexistent:/bin/sh\n`);
      fs.writeFileSync(path.join(scratch.dir, 'group'), `postgres:x:${POSTGRES_IMAGE_UID}:\n`);
      fs.writeFileSync(
        specFile,
        stringify({
          name: 'drilltest',
          cluster: { nodes: [] },
          networks: [{ name: 'local', bridge: 'lo', cidr: '127.0.0.0/8', gateway: '127.0.0.1' }],
          admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G t@example.org'] },
          secrets: { 'db-password': { env: 'DRILL_DB_PASSWORD', description: 'database password' }, box: { env: 'DRILL_BOX', description: 'box password' } },
          storageBoxes: [{ name: 'box', host: 'u100001.your-storagebox.de', user: 'u100001', passwordSecret: 'box' }],
          guests: [
            {
              name: 'db',
              kind: 'external',
              role: 'db',
              cores: 2,
              memoryGib: 2,
              ipv4: '127.0.0.1',
              storageBoxMounts: [{ box: 'box', mountPoint: mnt }],
              stacks: [{ kind: 'postgres', image: POSTGRES_TEST_IMAGE, database: 'shop', passwordSecret: 'db-password', port, backup: { mountPoint: mnt } }],
            },
          ],
        }),
      );
      // The rendered stack of that spec: its scripts make the backup the drill restores.
      const env = loadEnvironment(specFile);
      const guest = env.guests[0]!;
      const parts = postgresStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, guest.stacks[0] as PostgresStackSpec);
      const release = path.join(scratch.dir, 'release');
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
      const data = path.join(scratch.dir, 'data');
      fs.mkdirSync(data, { mode: 0o700 });
      fs.chownSync(data, POSTGRES_IMAGE_UID, POSTGRES_IMAGE_UID);
      fs.writeFileSync(path.join(scratch.dir, 'pw'), PASSWORD);
      const initdb = asPostgres([
        `${HOST_PGBIN}/initdb`,
        '-D',
        data,
        '-U',
        'app',
        `--pwfile=${path.join(scratch.dir, 'pw')}`,
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ]);
      expect(initdb.status, initdb.stderr).toBe(0);
      // As the image starts it: `-c config_file=` the rendered file; PGDATA keeps initdb's defaults.
      opts = `-c config_file=${path.join(release, 'postgresql.conf')} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
      const started = asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-l', path.join(release, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
      expect(started.status, started.stderr).toBe(0);
      sql('CREATE DATABASE shop', 'postgres');
      sql('CREATE TABLE orders (id int PRIMARY KEY, note text)');
      sql('CREATE TABLE customers (id int PRIMARY KEY)');
      sql("INSERT INTO orders SELECT g, 'before the base backup' FROM generate_series(1, 300) g");
      sql('INSERT INTO customers SELECT generate_series(1, 42)');
      const base = asPostgres(['sh', path.join(release, BACKUP_FILES.base), 'once'], { PGPASSWORD: PASSWORD });
      expect(base.status, base.stderr).toBe(0);
      sql("INSERT INTO orders SELECT g, 'after the base backup' FROM generate_series(301, 500) g");
      segmentAfterBase = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
      sql('SELECT pg_switch_wal()');
      sql("INSERT INTO orders SELECT g, 'in the newest segment' FROM generate_series(501, 600) g");
      const newest = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
      sql('SELECT pg_switch_wal()');
      await waitFor(`${newest} archived`, () => fs.existsSync(path.join(box, 'wal', newest)), 60_000);
      asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
    }, 240_000);
    afterAll(() => {
      const pid = path.join(scratch.dir, 'data', 'postmaster.pid');
      if (fs.existsSync(pid)) spawnSync('kill', ['-9', fs.readFileSync(pid, 'utf8').split('\n')[0]!]);
      scratch.cleanup();
    });

    it('restores the newest backup and reports every table, the restored point in time and the loss window', () => {
      const r = verify();
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ ok: true, guest: 'db', env: 'drilltest' });
      expect(report.rows).toEqual([
        ['public.customers', '42'],
        ['public.orders', '600'],
      ]);
      expect(report.baseBackup).toMatch(/^\d{8}T\d{6}Z$/);
      expect(Date.parse(report.restoredTo)).toBeGreaterThan(Date.parse(report.baseBackupFinishedAt) - 1000);
      expect(report.lossWindowSeconds).toBeGreaterThanOrEqual(0);
      expect(report.lossWindowSeconds).toBeLessThan(600);
      expect(drillContainers()).toBe('');
      // The outcome, beside the backups, for the RestoreDrillFailed alert.
      expect(drillRecord()).toMatch(/^ok \d{4}-\d\d-\d\dT/);
      // Read-only: the drill left the archive as it found it (no new timeline, no history file).
      expect(fs.readdirSync(path.join(box, 'wal')).filter((f) => f.endsWith('.history'))).toEqual([]);
    }, 240_000);

    it('fails loudly when an archived WAL segment is corrupt', () => {
      const file = path.join(box, 'wal', segmentAfterBase);
      const good = fs.readFileSync(file);
      try {
        const bad = Buffer.from(good);
        bad.fill(0, 0, 64 * 1024);
        fs.writeFileSync(file, bad);
        const r = verify();
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
        expect(JSON.parse(r.stdout).message).toMatch(/FAILED[\s\S]*replay stopped before the newest archived segment/);
        expect(drillContainers()).toBe('');
      } finally {
        fs.writeFileSync(file, good);
      }
    }, 240_000);

    it('fails loudly when the base backup is truncated', () => {
      const name = fs.readdirSync(path.join(box, 'base')).sort().pop()!;
      const file = path.join(box, 'base', name, 'base.tar.gz');
      const good = fs.readFileSync(file);
      try {
        fs.writeFileSync(file, good.subarray(0, Math.floor(good.length / 2)));
        const r = verify();
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stdout).message).toContain('did not restore');
        expect(drillContainers()).toBe('');
        expect(drillRecord()).toMatch(/^failed /);
      } finally {
        fs.writeFileSync(file, good);
      }
    }, 240_000);
    it("postgres_exporter's queries read the archiver, the newest base backup and the drill's outcome", async () => {
      const data = path.join(scratch.dir, 'data');
      const started = asPostgres([
        `${HOST_PGBIN}/pg_ctl`,
        '-D',
        data,
        '-l',
        path.join(scratch.dir, 'release', 'server2.log'),
        '-w',
        '-t',
        '60',
        '-o',
        opts,
        'start',
      ]);
      expect(started.status, started.stderr).toBe(0);
      try {
        const queries = parse(renderExporterQueries(true, box)) as Record<string, { query: string }>;
        const row = (name: string) => sql(queries[name]!.query).split('|').map(Number);
        // Statistics start empty after the immediate stop; archive one segment.
        sql("INSERT INTO orders VALUES (601, 'after the restart')");
        sql('SELECT pg_switch_wal()');
        await waitFor('a segment archived after the restart', () => row('pvestack_pg_archiver')[2]! > 0, 60_000);
        const [failed, , lastArchived] = row('pvestack_pg_archiver');
        expect(failed).toBe(0);
        expect(lastArchived).toBeGreaterThan(0);
        const [baseAge] = row('pvestack_pg_base_backup');
        expect(baseAge).toBeGreaterThanOrEqual(0);
        expect(baseAge).toBeLessThan(3600);
        // The last drill (the truncated base backup) failed, a moment ago.
        const [lastOk, drillAge] = row('pvestack_restore_drill');
        expect(lastOk).toBe(0);
        expect(drillAge).toBeLessThan(3600);
      } finally {
        asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
      }
    }, 120_000);
  },
  { root: true },
);
