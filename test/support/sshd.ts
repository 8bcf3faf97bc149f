/**
 * A real OpenSSH server on 127.0.0.1 for deploy and Ansible tests: its own host key, a client
 * key pair, a known_hosts file, key-only authentication as root.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

/** Starts an sshd; pass an existing client key to let one key reach several servers. */
export async function startSshd(opts: { clientKey?: string } = {}): Promise<TestSshd> {
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
    'ListenAddress 127.0.0.1',
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
    'Subsystem sftp internal-sftp',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'sshd_config'), `${config}\n`);
  run('/usr/sbin/sshd', ['-t', '-f', path.join(dir, 'sshd_config')]);
  run('/usr/sbin/sshd', ['-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')]);
  await waitFor('sshd to listen', () => canConnect(port), 10_000, 50);
  const hostPublicKey = fs.readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const hostFingerprint = run('ssh-keygen', ['-lf', path.join(dir, 'host_ed25519.pub')]).split(' ')[1]!;
  const knownHostsPath = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const pid = () => Number(fs.readFileSync(path.join(dir, 'sshd.pid'), 'utf8'));
  const sshArgs = ['-p', String(port), '-i', privateKeyPath, '-o', `UserKnownHostsFile=${knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', 'root@127.0.0.1'];
  return {
    host: '127.0.0.1',
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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
