/**
 * The backup promise, proven with a real PostgreSQL 15: the rendered archive_command, base-backup
 * script and restore script of the production database, run as the rendered user (the image's
 * postgres uid, given a passwd entry with nss_wrapper) against a directory with the ownership the
 * rendered Storage Box mount presents. Rows committed after the base backup, the server killed
 * with SIGKILL, the documented restore: every committed row is back. With the old mount
 * ownership (root, 0770) the same scenario fails, so the test can fail.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Guest, PostgresStackSpec } from '../../../model';
import { gpusOf } from '../../../model';
import { loadEnvironment } from '../../../stacks/registry';
import { BACKUP_DIR, BACKUP_FILES, BACKUP_SCRIPT_DIR, POSTGRES_IMAGE_UID, renderArchiveScript } from '../../../templates/postgres/backup';
import { postgresStack } from '../../../templates/stacks/postgres';
import { storageBoxMountOwner } from '../../../templates/storage-box-owner';
import { MountOwner, ROOT_MOUNT_OWNER } from '../../../templates/storage-box-units';
import { describeWithTools, freePort, run, scratchDir, waitFor } from '../../support/tools';

const PGBIN = '/usr/lib/postgresql/15/bin';
const NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so';
const PASSWORD = 'test-only-backup-password';

interface Rendered {
  readonly files: Map<string, string>;
  readonly user: string;
  readonly database: string;
  readonly owner: MountOwner;
  readonly sidecarUser: string | undefined;
}

/** The production database stack, rendered for this machine's port and a 2 GiB guest. */
function renderProductionDb(port: number): Rendered {
  const env = loadEnvironment('production');
  const real = env.guests.find((g) => g.stacks.some((s) => s.kind === 'postgres' && s.backup))!;
  const spec = real.stacks.find((s) => s.kind === 'postgres') as PostgresStackSpec;
  const stack: PostgresStackSpec = { ...spec, port };
  const guest: Guest = { ...real, memoryGib: 2, stacks: [stack] };
  const parts = postgresStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, stack);
  const mount = guest.storageBoxMounts.find((m) => m.mountPoint === stack.backup!.mountPoint)!;
  return {
    files: new Map(parts.files.map((f) => [f.path, f.content])),
    user: stack.user ?? 'app',
    database: stack.database,
    owner: storageBoxMountOwner(guest, mount),
    sidecarUser: parts.services.find((s) => s.name === 'pg-backup')?.user,
  };
}

describeWithTools(
  'PostgreSQL backups restore every committed row (real PostgreSQL 15)',
  [`${PGBIN}/initdb`, `${PGBIN}/pg_ctl`, `${PGBIN}/pg_basebackup`, `${PGBIN}/pg_archivecleanup`, 'psql', 'setpriv', NSS_WRAPPER],
  () => {
    const scratch = scratchDir('pgbk-');
    let port = 0;
    let rendered: Rendered;
    beforeAll(async () => {
      port = await freePort();
      rendered = renderProductionDb(port);
      // Others must traverse the scratch directory to reach what the postgres uid owns.
      fs.chmodSync(scratch.dir, 0o755);
      fs.writeFileSync(path.join(scratch.dir, 'passwd'), `postgres:x:${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}:postgres:/nonexistent:/bin/sh\n`);
      fs.writeFileSync(path.join(scratch.dir, 'group'), `postgres:x:${POSTGRES_IMAGE_UID}:\n`);
    });
    afterAll(() => {
      for (const dir of fs.readdirSync(scratch.dir)) {
        const pidFile = path.join(scratch.dir, dir, 'data', 'postmaster.pid');
        if (fs.existsSync(pidFile)) killServer(pidFile);
      }
      scratch.cleanup();
    });

    /** Runs argv as the rendered uid, with a passwd entry for it (initdb and postgres look it up). */
    function asRendered(uid: number, argv: string[], env: Record<string, string> = {}) {
      return spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...argv], {
        encoding: 'utf8',
        env: {
          PATH: `${PGBIN}:/usr/bin:/bin`,
          LANG: 'C.UTF-8',
          LD_PRELOAD: NSS_WRAPPER,
          NSS_WRAPPER_PASSWD: path.join(scratch.dir, 'passwd'),
          NSS_WRAPPER_GROUP: path.join(scratch.dir, 'group'),
          ...env,
        },
      });
    }

    function killServer(pidFile: string): void {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }

    const sql = (q: string) =>
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', rendered.user, '-d', rendered.database, '-v', 'ON_ERROR_STOP=1', '-Atc', q], {
        env: { ...process.env, PGPASSWORD: PASSWORD },
      }).trim();
    const reachable = () => spawnSync(`${PGBIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port)]).status === 0;

    /**
     * One run of the promise: a server configured by the rendered files, the backup directory
     * with `owner`'s ownership (as the CIFS mount presents it), rows before and after a base
     * backup, SIGKILL, then the rendered restore. Returns what came back.
     */
    async function scenario(id: string, owner: MountOwner) {
      const uid = POSTGRES_IMAGE_UID;
      const root = path.join(scratch.dir, id);
      const box = path.join(root, 'box');
      const scripts = path.join(root, 'scripts');
      const data = path.join(root, 'data');
      fs.mkdirSync(path.join(scripts, 'backup'), { recursive: true });
      fs.mkdirSync(box);
      fs.chownSync(box, owner.uid, owner.gid);
      fs.chmodSync(box, parseInt(owner.dirMode, 8));
      // The rendered files, with only the container paths swapped for this directory.
      const swap = (text: string) =>
        text
          .replace(new RegExp(`(^|[=\\s'"])${BACKUP_DIR}(?=[/\\s'"]|$)`, 'gm'), `$1${box}`)
          .replaceAll(`${BACKUP_SCRIPT_DIR}/`, `${scripts}/backup/`)
          .replaceAll('/etc/postgresql/pg_hba.conf', path.join(scripts, 'pg_hba.conf'));
      for (const [file, content] of rendered.files) if (file.startsWith('backup/')) fs.writeFileSync(path.join(scripts, file), swap(content));
      fs.writeFileSync(path.join(scripts, 'postgresql.conf'), swap(rendered.files.get('postgresql.conf')!));
      fs.writeFileSync(path.join(scripts, 'pg_hba.conf'), rendered.files.get('pg_hba.conf')!);
      fs.writeFileSync(path.join(root, 'pw'), PASSWORD);
      run('chown', ['-R', `${uid}:${uid}`, scripts, path.join(root, 'pw')]);
      fs.chmodSync(root, 0o755);
      fs.chownSync(root, uid, uid);

      const initdb = asRendered(
        uid,
        [`${PGBIN}/initdb`, '-D', data, '-U', rendered.user, `--pwfile=${path.join(root, 'pw')}`, '-E', 'UTF8', '--locale=C.UTF-8'],
        {},
      );
      expect(initdb.status, initdb.stderr).toBe(0);
      // The rendered postgresql.conf exactly, then only what differs between a container and this test.
      fs.appendFileSync(
        path.join(data, 'postgresql.conf'),
        `\ninclude = '${path.join(scripts, 'postgresql.conf')}'\nlisten_addresses = '127.0.0.1'\n# TCP only: a killed postmaster nobody reaps would keep its socket lock file.\nunix_socket_directories = ''\n`,
      );
      const pgCtl = (dir: string, ...args: string[]) =>
        asRendered(uid, [`${PGBIN}/pg_ctl`, '-D', dir, '-l', path.join(root, `${path.basename(dir)}.log`), '-w', '-t', '60', ...args]);
      const started = pgCtl(data, 'start');
      expect(started.status, started.stderr + fs.readFileSync(path.join(root, 'data.log'), 'utf8')).toBe(0);

      // What the image's entrypoint does with POSTGRES_DB.
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', rendered.user, '-d', 'postgres', '-c', `CREATE DATABASE ${rendered.database}`], {
        env: { ...process.env, PGPASSWORD: PASSWORD },
      });
      try {
        return await rowsAfterDisaster();
      } finally {
        for (const dir of ['data', 'restored', 'restored-from-box-only']) {
          const pidFile = path.join(root, dir, 'postmaster.pid');
          if (fs.existsSync(pidFile)) killServer(pidFile);
        }
        await waitFor('the servers of this scenario to stop', () => !reachable(), 60_000);
      }

      async function rowsAfterDisaster() {
        sql('CREATE TABLE items (id int PRIMARY KEY, phase text NOT NULL)');
        sql("INSERT INTO items SELECT g, 'before base backup' FROM generate_series(1, 1000) g");
        const base = asRendered(uid, ['sh', path.join(scripts, BACKUP_FILES.base), 'once'], { PGPASSWORD: PASSWORD });
        if (base.status !== 0) throw new Error(`base backup failed: ${base.stderr}`);
        sql("INSERT INTO items SELECT g, 'after base backup, archived' FROM generate_series(1001, 1500) g");
        // What archive_timeout does after a minute: switch to a new segment, which gets archived.
        const segment = sql('SELECT pg_walfile_name(pg_current_wal_lsn())');
        sql('SELECT pg_switch_wal()');
        await waitFor(`segment ${segment} in the archive`, () => fs.existsSync(path.join(box, 'wal', segment)), 60_000).catch((e: Error) => {
          throw new Error(
            `${e.message}; archiver: ${sql('SELECT failed_count, last_failed_wal FROM pg_stat_archiver')}; log: ${fs.readFileSync(path.join(root, 'data.log'), 'utf8').slice(-1500)}`,
          );
        });
        sql("INSERT INTO items SELECT g, 'after the last archived segment' FROM generate_series(1501, 1600) g");
        const committed = Number(sql('SELECT count(*) FROM items'));
        killServer(path.join(data, 'postmaster.pid'));
        await waitFor('the killed server to let go of its port', () => !reachable(), 60_000);

        /** The documented restore, then PostgreSQL replays the archive and promotes. */
        const restore = async (name: string, mode: '--drill' | 'for real', oldWal?: string) => {
          const target = path.join(root, name);
          const r = asRendered(uid, [
            'sh',
            path.join(scripts, BACKUP_FILES.restore),
            ...(mode === '--drill' ? [mode] : []),
            box,
            target,
            'latest',
            ...(oldWal ? [oldWal] : []),
          ]);
          if (r.status !== 0) throw new Error(`restore failed: ${r.stderr}`);
          const up = pgCtl(target, 'start');
          if (up.status !== 0) throw new Error(`restored server did not start: ${fs.readFileSync(path.join(root, `${name}.log`), 'utf8').slice(-2000)}`);
          await waitFor('recovery to end', () => sql('SELECT pg_is_in_recovery()') === 'f', 60_000);
          const rows = Number(sql('SELECT count(*) FROM items'));
          const lastPhase = sql('SELECT phase FROM items ORDER BY id DESC LIMIT 1');
          pgCtl(target, 'stop', '-m', 'fast');
          return { rows, lastPhase };
        };
        // The VM and its disk are gone: the archive alone (a drill, so it leaves the archive as it was).
        const archiveOnly = await restore('restored-from-box-only', '--drill');
        // The data disk survived (the server was killed): salvage its unarchived WAL, as PostgreSQL's docs say.
        const withOldWal = await restore('restored', 'for real', path.join(data, 'pg_wal'));
        return { committed, withOldWal, archiveOnly, box };
      }
    }

    it('renders the mount for the user that writes: the image postgres uid, private modes', () => {
      expect(rendered.owner).toEqual({ uid: POSTGRES_IMAGE_UID, gid: POSTGRES_IMAGE_UID, fileMode: '0600', dirMode: '0700' });
      expect(rendered.sidecarUser).toBe(`${POSTGRES_IMAGE_UID}:${POSTGRES_IMAGE_UID}`);
      expect(rendered.files.get('postgresql.conf')).toContain(`archive_command = 'sh ${BACKUP_SCRIPT_DIR}/archive-wal.sh %p %f'`);
    });

    it('with the rendered ownership: every committed row comes back', async () => {
      const r = await scenario('rendered-owner', rendered.owner);
      expect(r.committed).toBe(1600);
      expect(r.withOldWal).toEqual({ rows: 1600, lastPhase: 'after the last archived segment' });
      // From the box alone, everything up to the last archived segment (the archive_timeout window).
      expect(r.archiveOnly).toEqual({ rows: 1500, lastPhase: 'after base backup, archived' });
      const base = fs.readdirSync(path.join(r.box, 'base'));
      expect(base).toHaveLength(1);
      expect(fs.readdirSync(path.join(r.box, 'base', base[0]!)).sort()).toEqual([
        'backup_manifest',
        'base.tar.gz',
        'finished-at',
        'pg_wal.tar.gz',
        'start-wal',
      ]);
      expect(fs.readdirSync(path.join(r.box, 'wal')).filter((f) => f.startsWith('.'))).toEqual([]);
    }, 120_000);

    it('with the old ownership (root, 0770) the same scenario fails', async () => {
      await expect(scenario('old-owner', ROOT_MOUNT_OWNER)).rejects.toThrow(/base backup failed|archive/);
    }, 120_000);

    it('archive-wal.sh: identical re-archive succeeds, different content is refused, a partial leftover does not block', () => {
      const dir = path.join(scratch.dir, 'idempotent');
      fs.mkdirSync(dir);
      const script = path.join(dir, 'archive-wal.sh');
      fs.writeFileSync(script, renderArchiveScript(path.join(dir, 'box')));
      const seg = path.join(dir, '000000010000000000000007');
      fs.writeFileSync(seg, 'segment bytes');
      fs.mkdirSync(path.join(dir, 'box', 'wal'), { recursive: true });
      // A copy a dropped session left behind under a temporary name.
      fs.writeFileSync(path.join(dir, 'box', 'wal', '.000000010000000000000007.4242.partial'), 'segm');
      const archive = () => spawnSync('sh', [script, seg, '000000010000000000000007'], { encoding: 'utf8' });
      expect(archive().status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'box', 'wal', '000000010000000000000007'), 'utf8')).toBe('segment bytes');
      expect(archive().status).toBe(0);
      fs.writeFileSync(seg, 'other bytes');
      const refused = archive();
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('already exists with different content');
      expect(fs.readFileSync(path.join(dir, 'box', 'wal', '000000010000000000000007'), 'utf8')).toBe('segment bytes');
    });
  },
  { root: true },
);
