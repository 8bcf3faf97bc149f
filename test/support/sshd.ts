/**
 * A real OpenSSH server on 127.0.0.1 for deploy and Ansible tests: its own host key, a client
 * key pair, a known_hosts file, key-only authentication as root.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pinnedKeyOptions } from '../../templates/openssh-options';
import { freePort, run, scratchDir, waitFor } from './tools';
import * as net from 'node:net';

export interface TestSshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dir: string;
  readonly privateKeyPath: string;
  /** `ssh-ed25519 AAAA...` of the server. */
  readonly hostPublicKey: string;
  /** `SHA256:...` fingerprint, as `ssh-keygen -lf` prints it. */
  readonly hostFingerprint: string;
  /** known_hosts file with the host key for `[127.0.0.1]:port`. */
  readonly knownHostsPath: string;
  /** Argv prefix for the OpenSSH client against this server. */
  readonly sshArgs: readonly string[];
  readonly pid: () => number;
  stop(): void;
}

export interface SshdOptions {
  /** An existing client key, so one key reaches several servers. */
  readonly clientKey?: string;
  /** Loopback address to listen on (any of 127.0.0.0/8). @default 127.0.0.1 */
  readonly address?: string;
  /** Variables every session gets (`SetEnv`), e.g. `DOCKER_HOST`; `HOME` is a stock one (see `stockHome`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Gives the server its own mount namespace in which `source` is bind-mounted on `target` (an
   * existing directory): several test "hosts" on one machine then each have their own deploy root
   * at the same path, as real hosts do.
   */
  readonly ownDir?: { readonly source: string; readonly target: string };
  /** Directory SFTP sessions start in (`internal-sftp -d`), so relative paths land there, as on a Storage Box. */
  readonly sftpStartDir?: string;
}

/** Starts an sshd; pass an existing client key to let one key reach several servers. */
export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  const address = opts.address ?? '127.0.0.1';
  const { dir, cleanup } = scratchDir('pvestack-sshd-');
  const port = await freePort();
  fs.mkdirSync('/run/sshd', { recursive: true });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_ed25519')]);
  let privateKeyPath = opts.clientKey;
  if (!privateKeyPath) {
    privateKeyPath = path.join(dir, 'client_ed25519');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', privateKeyPath]);
  }
  fs.copyFileSync(`${privateKeyPath}.pub`, path.join(dir, 'authorized_keys'));
  const config = [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    `Subsystem sftp internal-sftp${opts.sftpStartDir ? ` -d ${opts.sftpStartDir}` : ''}`,
    `SetEnv ${Object.entries({ HOME: stockHome(dir), ...opts.env })
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'sshd_config'), `${config}\n`);
  run('/usr/sbin/sshd', ['-t', '-f', path.join(dir, 'sshd_config')]);
  const sshd = ['/usr/sbin/sshd', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')];
  if (opts.ownDir) {
    // unshare(1): a private mount namespace, the bind mount, then sshd (which daemonizes inside it).
    run('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$1" "$2" && shift 2 && exec "$@"',
      'sh',
      opts.ownDir.source,
      opts.ownDir.target,
      ...sshd,
    ]);
  } else run(sshd[0]!, sshd.slice(1));
  await waitFor('sshd to listen', () => canConnect(port, address), 60_000, 50);
  const hostPublicKey = fs.readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const hostFingerprint = run('ssh-keygen', ['-lf', path.join(dir, 'host_ed25519.pub')]).split(' ')[1]!;
  const knownHostsPath = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHostsPath, `[${address}]:${port} ${hostPublicKey}\n`);
  const pid = () => Number(fs.readFileSync(path.join(dir, 'sshd.pid'), 'utf8'));
  const sshArgs = ['-p', String(port), ...pinnedKeyOptions(privateKeyPath, knownHostsPath), `root@${address}`];
  return {
    host: address,
    port,
    user: 'root',
    dir,
    privateKeyPath,
    hostPublicKey,
    hostFingerprint,
    knownHostsPath,
    sshArgs,
    pid,
    stop() {
      try {
        process.kill(pid(), 'SIGTERM');
      } catch {
        // already gone
      }
      spawnSync('pkill', ['-f', path.join(dir, 'sshd_config')]);
      cleanup();
    },
  };
}

/**
 * The HOME of every session: a directory of its own holding Debian's stock root .bashrc
 * (base-files' dot.bashrc), as on a freshly installed guest. sshd runs each command through the
 * user's shell, and Debian's bash reads ~/.bashrc when sshd starts it, even non-interactive; the
 * test hosts log in as root of this machine, whose own ~/.bashrc may set up a developer's tools (a
 * pyenv init costs about 85 ms of CPU per remote command, a tenth of the deploy suites' time) or
 * print things. Sessions still start in root's real home directory (sshd's chdir uses the passwd
 * entry); nothing remote that pvestack runs reads HOME.
 */
function stockHome(dir: string): string {
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  const stock = '/usr/share/base-files/dot.bashrc';
  if (fs.existsSync(stock)) fs.copyFileSync(stock, path.join(home, '.bashrc'));
  return home;
}

function canConnect(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, address);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
