/**
 * Throwaway Debian hosts for playbook tests: a bookworm root built by mmdebstrap once and cached
 * under os.tmpdir(), and per test an overlayfs copy of it that Ansible drives through the
 * `community.general.chroot` connection. Tasks really run inside the copy (its own /etc, apt,
 * dpkg), nothing touches this machine's files, and the copy is discarded afterwards.
 *
 * The base is what a cloud image gives a guest: python3 (+ python3-apt, which Ansible's apt module
 * needs even in check mode), the OpenSSH server and unattended-upgrades. A policy-rc.d keeps
 * package scripts from starting daemons: PID 1 here is not systemd. Downloaded .deb files are kept
 * in a shared cache so reruns do not hit the mirror again.
 *
 * mmdebstrap rather than debootstrap: it lets apt download and install, which took 20 s and 21 s of
 * CPU here where debootstrap took 45 s and 35 s, and CI builds this root on every run. The
 * merged-usr hook sets up /usr the way debootstrap does (usr-is-merged rather than the usrmerge
 * package, which would pull in perl), so the package set is debootstrap's minbase one; apt's lists
 * are kept, as debootstrap keeps them, so playbooks install without an `apt update` first.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MIRROR = 'http://deb.debian.org/debian';
const PACKAGES = ['python3', 'python3-apt', 'openssh-server', 'unattended-upgrades'];
const MARKER = '.pvestack-complete';

/**
 * The cached base root (built on first use, about 20 s; then instant). Vitest runs test files in
 * parallel workers, so building is serialised by a lock directory: the first worker builds, the
 * others wait for the completion marker. (Replacing a base another worker has already mounted as an
 * overlay lower layer would pull the files out from under its running playbook.)
 */
export function debianBase(name = 'bookworm-ansible-v3'): string {
  const dir = path.join(os.tmpdir(), `pvestack-debian-root-${name}`);
  const complete = () => fs.existsSync(path.join(dir, MARKER));
  if (complete()) return dir;
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (complete()) return dir;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no test run is building the Debian root)`);
      sleepSync(1000);
    }
  }
  try {
    if (complete()) return dir;
    const partial = `${dir}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    execFileSync(
      'mmdebstrap',
      [
        '--variant=minbase',
        '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
        `--include=${PACKAGES.join(',')}`,
        '--skip=cleanup/apt/lists',
        'bookworm',
        partial,
        MIRROR,
      ],
      { stdio: 'pipe', timeout: 600_000 },
    );
    fs.writeFileSync(path.join(partial, 'usr/sbin/policy-rc.d'), '#!/bin/sh\n# Test root: never start daemons.\nexit 101\n', { mode: 0o755 });
    for (const deb of fs.readdirSync(path.join(partial, 'var/cache/apt/archives'))) {
      if (deb.endsWith('.deb')) fs.rmSync(path.join(partial, 'var/cache/apt/archives', deb));
    }
    fs.writeFileSync(path.join(partial, MARKER), `${new Date().toISOString()}\n`);
    // Only a leftover of a crashed build can be here (no marker), and we hold the lock.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    return dir;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface ThrowawayRoot {
  /** The root directory Ansible's chroot connection uses as `ansible_host`. */
  readonly root: string;
  /** Reads a file inside the root. */
  read(file: string): string;
  stat(file: string): fs.Stats;
  exists(file: string): boolean;
  destroy(): void;
}

/** A writable copy of the base (overlayfs), with the host's resolv.conf so apt can reach the mirror. */
export function throwawayRoot(base = debianBase()): ThrowawayRoot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-root-'));
  const [upper, work, root] = ['upper', 'work', 'root'].map((d) => path.join(dir, d)) as [string, string, string];
  for (const d of [upper, work, root]) fs.mkdirSync(d);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base},upperdir=${upper},workdir=${work}`, root]);
  const archives = path.join(os.tmpdir(), 'pvestack-apt-archives-bookworm');
  fs.mkdirSync(path.join(archives, 'partial'), { recursive: true });
  execFileSync('mount', ['--bind', archives, path.join(root, 'var/cache/apt/archives')]);
  fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
  const inRoot = (file: string) => path.join(root, file);
  return {
    root,
    read: (file) => fs.readFileSync(inRoot(file), 'utf8'),
    stat: (file) => fs.statSync(inRoot(file)),
    exists: (file) => fs.existsSync(inRoot(file)),
    destroy() {
      for (const mount of [path.join(root, 'var/cache/apt/archives'), root]) {
        try {
          execFileSync('umount', [mount]);
        } catch {
          execFileSync('umount', ['-l', mount]);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
