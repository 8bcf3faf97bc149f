import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { inject } from 'vitest';
import { deployHost } from '../../deploy/host-deploy';
import * as net from 'node:net';
import { ConnectError, HostKeyMismatchError, LockHeldError, OperationError, RemoteCommandError } from '../../model';
import { freePort } from '../support/tools';
import { startSshd, type TestSshd } from '../support/sshd';
import { describeWithTools } from '../support/tools';
import { deployTestHost, currentRelease, startedAt, targetFor, testContext, webStack } from './fixtures';

const dockerHost = inject('dockerHost');
const IMAGE = 'local/pvestack-deploy-faults:1';

if (!dockerHost) console.warn('\n*** SKIPPING deploy fault tests: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools(
  'deploy over SSH: faults (connection cut, lock, host keys)',
  dockerHost ? ['/usr/sbin/sshd', 'ssh-keygen', 'docker-compose'] : ['(docker engine)'],
  () => {
    const host = deployTestHost(dockerHost, IMAGE, 'faults');
    const { rootFor, project } = host;

    it('an SSH connection cut mid-upload leaves the running release untouched; a retry succeeds', async () => {
      const p = project('faults-cut');
      const big = { path: 'assets/blob.txt', content: 'x'.repeat(16 * 1024 * 1024) };
      const target = (release: string) => targetFor(host.sshd, [webStack(p, { image: IMAGE, release, extraFiles: [big] })], dockerHost, rootFor(p));
      expect((await deployHost(target('v1'), testContext())).error?.message).toBeUndefined();
      const running = currentRelease(rootFor(p), p);
      const before = startedAt(dockerHost, p);

      const cut = await deployHost(
        target('v2'),
        testContext({
          beforeUpload: (_guest, files) => {
            if (!files.includes(big.path)) return;
            // Cut the connection once the upload directory exists on the host: mid-upload, whatever the timing.
            const releases = path.join(rootFor(p), p, 'releases');
            const poll = setInterval(() => {
              if (!fs.readdirSync(releases).some((d) => d.endsWith('.partial'))) return;
              clearInterval(poll);
              killSessions(host.sshd.pid());
            }, 2);
          },
        }),
      );
      expect(cut.status).toBe('failed');
      expect(cut.error).toBeInstanceOf(RemoteCommandError);
      // It died while shipping the release (an upload into the .partial directory), before any switch.
      expect((cut.error as RemoteCommandError).argv.join(' ')).toContain('.partial');
      expect((cut.error as RemoteCommandError).remoteExitCode).toBeNull();
      expect(currentRelease(rootFor(p), p)).toBe(running);
      expect(startedAt(dockerHost, p)).toEqual(before);
      expect(fs.readdirSync(path.join(rootFor(p), p, 'releases')).some((d) => d.endsWith('.partial'))).toBe(true);
      expect(cut.notes.join('\n')).toMatch(/the failed upload may have left releases\/[0-9a-f]+\.partial on the host; the next deploy removes it/);
      expect(cut.error!.message).toContain('lost the connection mid-step');

      const retry = await deployHost(target('v2'), testContext());
      expect(retry.error?.message).toBeUndefined();
      expect(retry.status).toBe('deployed');
      expect(retry.notes.join('\n')).toMatch(/removing releases\/[0-9a-f]+\.partial left by an interrupted upload/);
      expect(currentRelease(rootFor(p), p)).toBe(retry.stacks[0]!.release);
      expect(fs.readdirSync(path.join(rootFor(p), p, 'releases')).some((d) => d.endsWith('.partial'))).toBe(false);
    }, 120_000);

    it('two concurrent deploys to one host: exactly one proceeds, the other fails fast with LockHeldError', async () => {
      const p = project('faults-lock');
      const target = targetFor(host.sshd, [webStack(p, { image: IMAGE })], dockerHost, rootFor(p));
      const as = (owner: string) => testContext({ lock: { ...testContext().lock, owner } });
      const [a, b] = await Promise.all([deployHost(target, as('alice@laptop')), deployHost(target, as('bob@ci'))]);
      const losers = [a, b].filter((o) => o.error instanceof LockHeldError);
      const winners = [a, b].filter((o) => !o.error);
      expect(losers).toHaveLength(1);
      expect(winners).toHaveLength(1);
      const loser = losers[0]!;
      expect(loser.error!.message).toMatch(
        new RegExp(
          `^Deploy lock on .* held by (alice@laptop|bob@ci), run r1, pid ${process.pid} on test-machine, since \\d{4}-.*, commit abc1234; last heartbeat \\d+ s ago\\. If that deploy is dead, run: pvestack lock release test faults-lock$`,
        ),
      );
      expect(loser.elapsedMs).toBeLessThan(winners[0]!.elapsedMs);
      expect(loser.stacks).toEqual([]);
    }, 120_000);

    it('a wrong host key is refused before anything is sent', async () => {
      const p = project('faults-hostkey');
      const other = await startSshd({ clientKey: host.sshd.privateKeyPath });
      try {
        const target = targetFor(host.sshd, [webStack(p, { image: IMAGE })], dockerHost, rootFor(p));
        const acceptedBefore = accepted(host.sshd);
        const wrong = { ...target, endpoint: { ...target.endpoint, hostKeys: [other.hostPublicKey] } };
        const out = await deployHost(wrong, testContext());
        expect(out.error).toBeInstanceOf(HostKeyMismatchError);
        expect(out.error!.message).toContain(host.sshd.hostFingerprint);
        expect(out.error!.message).toContain(other.hostFingerprint);
        expect(fs.existsSync(rootFor(p))).toBe(false);
        // Authentication never happened: the handshake ended at the host key.
        expect(accepted(host.sshd)).toBe(acceptedBefore);
      } finally {
        other.stop();
      }
    });

    it('--trust-on-first-use records the key, and the recorded key is then pinned', async () => {
      const p = project('faults-tofu');
      const known = rootFor('tofu_known_hosts');
      const target = targetFor(host.sshd, [], dockerHost, rootFor(p));
      const unknown = await deployHost({ ...target, endpoint: { ...target.endpoint, hostKeys: [] } }, testContext());
      expect(unknown.error).toBeInstanceOf(HostKeyMismatchError);
      expect(unknown.error!.message).toContain('--trust-on-first-use');
      const first = await deployHost({ ...target, endpoint: { ...target.endpoint, hostKeys: [], trustOnFirstUseFile: known } }, testContext());
      expect(first.error?.message).toBeUndefined();
      expect(fs.readFileSync(known, 'utf8')).toBe(`[127.0.0.1]:${host.sshd.port} ${host.sshd.hostPublicKey}\n`);
      const again = await deployHost({ ...target, endpoint: { ...target.endpoint, hostKeys: [], knownHostsPath: known } }, testContext());
      expect(again.error?.message).toBeUndefined();
    });
    it('a refused connection and a host that never answers are told apart from a connection lost mid-step', async () => {
      const p = project('faults-refused');
      const base = targetFor(host.sshd, [webStack(p, { image: IMAGE })], dockerHost, rootFor(p));
      const closed = await freePort();
      const refused = await deployHost({ ...base, endpoint: { ...base.endpoint, port: closed } }, testContext());
      expect(refused.error).toBeInstanceOf(ConnectError);
      expect((refused.error as ConnectError).reason).toBe('refused');
      expect(refused.error!.message).toContain(`connection refused before anything ran`);
      // A listener that accepts and never speaks SSH: the handshake times out.
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as net.AddressInfo).port;
        const timedOut = await deployHost({ ...base, endpoint: { ...base.endpoint, port, connectTimeoutMs: 1000 } }, testContext());
        expect((timedOut.error as ConnectError).reason).toBe('timed out');
        expect(timedOut.error!.message).toContain('connection timed out before anything ran');
      } finally {
        silent.close();
      }
      expect(fs.existsSync(rootFor(p))).toBe(false);
    });

    it('a full disk at lock time: the deploy names the cause and the place, and leaves no empty lock behind', async () => {
      const p = project('faults-full');
      const root = rootFor(p);
      fs.mkdirSync(root, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', root]);
      try {
        execFileSync('sh', ['-c', `dd if=/dev/zero of=${root}/fill bs=4k 2>/dev/null || true`]);
        const out = await deployHost(targetFor(host.sshd, [webStack(p, { image: IMAGE })], dockerHost, root), testContext());
        expect(out.error).toBeInstanceOf(OperationError);
        expect(out.error!.message).toContain(`cannot write the deploy lock ${root}/.lock`);
        expect(out.error!.message).toContain('No space left on device');
        expect(out.error!.message).toContain(`Free space on 127.0.0.1:${root}`);
        expect(fs.existsSync(path.join(root, '.lock'))).toBe(false);
      } finally {
        execFileSync('umount', [root]);
      }
    });

    it('a disk that fills up during the upload: nothing switched, the cause and place named, the next deploy cleans up', async () => {
      const p = project('faults-upload-full');
      const root = rootFor(p);
      fs.mkdirSync(root, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', root]);
      try {
        const target = (release: string, extraFiles: { path: string; content: string }[] = []) =>
          targetFor(host.sshd, [webStack(p, { image: IMAGE, release, extraFiles })], dockerHost, root);
        expect((await deployHost(target('v1'), testContext())).error?.message).toBeUndefined();
        const running = currentRelease(root, p);
        const full = await deployHost(target('v2', [{ path: 'assets/big.bin', content: 'y'.repeat(4 * 1024 * 1024) }]), testContext());
        expect(full.status).toBe('failed');
        expect(full.error).toBeInstanceOf(OperationError);
        expect(full.error!.message).toContain(`no space left on 127.0.0.1:${root}/${p}/releases while uploading release`);
        expect(full.error!.message).toContain('nothing was switched');
        expect(currentRelease(root, p)).toBe(running);
        expect(fs.existsSync(path.join(root, '.lock'))).toBe(false);
        const fixed = await deployHost(target('v2'), testContext());
        expect(fixed.error?.message).toBeUndefined();
        expect(fixed.notes.join('\n')).toMatch(/removing releases\/[0-9a-f]+\.partial left by an interrupted upload/);
        expect(fs.readdirSync(path.join(root, p, 'releases')).some((d) => d.endsWith('.partial'))).toBe(false);
      } finally {
        execFileSync('umount', [root]);
      }
    }, 120_000);
  },
  { root: true },
);

/** Kills the per-connection sshd processes (children of the listener we started), not the listener. */
function killSessions(listenerPid: number): void {
  const out = execFileSync('pgrep', ['-P', String(listenerPid)], { encoding: 'utf8' }).trim();
  for (const pid of out.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** How many logins the sshd accepted so far (its log, LogLevel INFO). */
function accepted(sshd: TestSshd): number {
  return (fs.readFileSync(path.join(sshd.dir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
}
