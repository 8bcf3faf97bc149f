/**
 * A real Docker engine for the test run, started once by the global setup on a private socket
 * (never the machine's default one), plus a tiny busybox image built locally: no registry.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasCommand, isRoot, run, scratchDir, waitFor } from './tools';

export const BUSYBOX_IMAGE = 'local/busybox:1';

export interface TestDockerd {
  /** `unix:///.../docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  stop(): Promise<void>;
}

export function canRunDockerd(): boolean {
  return isRoot && hasCommand('dockerd') && hasCommand('docker') && hasCommand('busybox');
}

export async function startDockerd(): Promise<TestDockerd> {
  const { dir, cleanup } = scratchDir('pvestack-dockerd-');
  const sock = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  // overlay2 is fast here; the default bridge is kept (compose networks need it) but on its own
  // name and subnet so a machine's own Docker, if any, is not disturbed.
  // Subnet derived from the pid too, so two test runs on one machine (two checkouts) do not put
  // the same address on two bridges; it stays above the /17 pool that compose networks use.
  const bridge = `pvst${process.pid % 10000}`;
  spawnSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  spawnSync('ip', ['addr', 'add', `172.31.${128 + (process.pid % 120)}.1/24`, 'dev', bridge]);
  spawnSync('ip', ['link', 'set', bridge, 'up']);
  const child = spawn(
    'dockerd',
    [
      '--storage-driver=overlay2',
      '-H',
      `unix://${sock}`,
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '--pidfile',
      path.join(dir, 'dockerd.pid'),
      '--bridge',
      bridge,
      '--default-address-pool',
      'base=172.31.0.0/17,size=24',
    ],
    { stdio: ['ignore', log, log], detached: true },
  );
  child.unref();
  const dockerHost = `unix://${sock}`;
  const env = { ...process.env, DOCKER_HOST: dockerHost };
  await waitFor('dockerd', () => spawnSync('docker', ['info'], { env, stdio: 'ignore' }).status === 0, 60_000, 250);
  buildBusyboxImage(dockerHost);
  return {
    dockerHost,
    async stop() {
      const ids = spawnSync('docker', ['ps', '-aq'], { env, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
      if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore' });
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      await waitFor('dockerd to exit', () => !fs.existsSync(path.join(dir, 'dockerd.pid')), 20_000, 200).catch(() => process.kill(child.pid!, 'SIGKILL'));
      spawnSync('ip', ['link', 'del', bridge]);
      spawnSync('umount', ['-R', path.join(dir, 'data')], { stdio: 'ignore' });
      cleanup();
    },
  };
}

/**
 * Makes `root` an image root with the host's static busybox in `/bin` (every applet linked to it)
 * and the given empty folders.
 */
export function busyboxRoot(root: string, dirs: readonly string[]): void {
  for (const d of ['bin', ...dirs]) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.copyFileSync(fs.realpathSync(run('sh', ['-c', 'command -v busybox']).trim()), path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const applet of run('busybox', ['--list'])
    .split('\n')
    .filter((a) => a && a !== 'busybox'))
    fs.symlinkSync('busybox', path.join(root, 'bin', applet));
}

/** A ~2 MB image from the host's static busybox: sh, wget, httpd, nc — enough for healthchecks. */
export function buildBusyboxImage(dockerHost: string): void {
  const { dir, cleanup } = scratchDir('pvestack-busybox-');
  try {
    const root = path.join(dir, 'root');
    busyboxRoot(root, ['etc', 'tmp', 'www', 'data']);
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    fs.writeFileSync(path.join(root, 'www/index.html'), 'ok\n');
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    run('sh', ['-c', `tar -C ${root} -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - ${BUSYBOX_IMAGE}`], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
    });
  } finally {
    cleanup();
  }
}
