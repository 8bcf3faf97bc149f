/**
 * A PostgreSQL image for the test engine without a registry: the host's Debian PostgreSQL 15
 * binaries, the shared libraries they link (from `ldd`), the C.UTF-8 locale and zoneinfo, and the
 * host's static busybox for sh/tar/find. Like the official image, `postgres` is uid/gid 999 and
 * the binaries are on PATH. `docker import` of that root takes a few seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxRoot } from './dockerd';
import { run, scratchDir } from './tools';

export const POSTGRES_TEST_IMAGE = 'local/postgres:15';
export const HOST_PGBIN = '/usr/lib/postgresql/15/bin';

const BINARIES = ['postgres', 'pg_ctl', 'initdb', 'psql', 'pg_isready', 'pg_basebackup', 'pg_archivecleanup', 'pg_controldata', 'pg_waldump'];

function copyInto(root: string, file: string): void {
  const dest = path.join(root, file);
  if (fs.existsSync(dest)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(file, dest, { recursive: true, dereference: true });
}

/** Every library `ldd` names for the files, with the dynamic loader. */
function librariesOf(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of files)
    for (const line of run('ldd', [f]).split('\n')) {
      const m = /(\/\S+)\s+\(0x/.exec(line);
      if (m) out.add(m[1]!);
    }
  return [...out];
}

export function buildPostgresImage(dockerHost: string): void {
  const { dir, cleanup } = scratchDir('pvestack-pgimage-');
  try {
    const root = path.join(dir, 'root');
    busyboxRoot(root, ['etc', 'tmp', 'var/lib/postgresql', 'var/run/postgresql']);
    const binaries = BINARIES.map((b) => path.join(HOST_PGBIN, b));
    const modules = fs
      .readdirSync('/usr/lib/postgresql/15/lib')
      .filter((f) => f.endsWith('.so'))
      .map((f) => `/usr/lib/postgresql/15/lib/${f}`);
    for (const f of [...binaries, ...modules, ...librariesOf([...binaries, ...modules])]) copyInto(root, f);
    for (const d of ['/usr/share/postgresql/15', '/usr/lib/locale/C.utf8', '/usr/share/zoneinfo/UTC', '/usr/share/zoneinfo/Etc'])
      if (fs.existsSync(d)) copyInto(root, d);
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\n');
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\npostgres:x:999:\n');
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    run('chown', ['-R', '999:999', path.join(root, 'var/lib/postgresql'), path.join(root, 'var/run/postgresql')]);
    run(
      'sh',
      ['-c', `tar -C ${root} -c . | docker import -c 'ENV PATH=${HOST_PGBIN}:/bin' -c 'ENV LANG=C.UTF-8' -c 'CMD ["postgres"]' - ${POSTGRES_TEST_IMAGE}`],
      { env: { ...process.env, DOCKER_HOST: dockerHost } },
    );
  } finally {
    cleanup();
  }
}
