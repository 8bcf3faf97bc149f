import { describe, expect, it } from 'vitest';
import { toShell } from '../../deploy/commands';
import { deployHost, HostTarget } from '../../deploy/host-deploy';
import { deployAll } from '../../deploy/orchestrator';
import { stackRelease } from '../../deploy/release';
import type { RemoteHost, RunResult } from '../../deploy/ssh';
import { ConfirmationRequiredError, LockHeldError, OperationError, RemoteCommandError } from '../../model';
import { testContext, webStack } from './fixtures';

const KEY = 'a'.repeat(64);
const stack = webStack('app', { image: 'img:1', statefulClient: true });
const target: HostTarget = { guest: 'app', root: '/srv/pv', stacks: [stack], endpoint: { host: 'fake', port: 22, user: 'ops', hostKeys: [] } };
const fp = Object.fromEntries(stackRelease(stack, testContext().secrets, KEY).services.map((s) => [s.name, s.fingerprint]));

/** A scripted host: answers the lock with `probe`, records every command, fails what `fail` matches. */
function fakeHost(probe: string, opts: { fail?: RegExp; lockCode?: number; lockStdout?: string; lockStderr?: string } = {}) {
  const ran: string[] = [];
  const host: RemoteHost = {
    name: 'ops@fake:22',
    async run(argv, o): Promise<RunResult> {
      const line = toShell(argv);
      ran.push(line);
      if (opts.fail?.test(line)) throw new RemoteCommandError('ops@fake:22', argv, 1, 'boom');
      if (line.includes('mkdir /srv/pv/.lock')) {
        const code = opts.lockCode ?? 0;
        if (!(o?.okCodes ?? [0]).includes(code)) throw new RemoteCommandError('ops@fake:22', argv, code, '');
        return { stdout: code === 0 ? probe : (opts.lockStdout ?? ''), stderr: opts.lockStderr ?? '', code };
      }
      return { stdout: '', stderr: '', code: 0 };
    },
    isConnected: () => true,
    close: () => undefined,
  };
  return { host, ran };
}

const running = (svc: string, f = fp[svc]) => `container ${svc} running 0 healthy ${f}`;
const probeText = (lines: string[]) => [`key ${KEY}`, 'now 1700000000', 'compose v1', 'stack app', ...lines].join('\n');

describe('host deploy executor (scripted host)', () => {
  it('refuses to restart a changed stateful service without confirmation, before uploading, and releases the lock', async () => {
    const { host, ran } = fakeHost(probeText(['current OLD', 'release OLD', running('web'), running('client', 'different')]));
    const out = await deployHost(target, testContext({ connect: async () => host, confirmStateful: async () => false }));
    expect(out.error).toBeInstanceOf(ConfirmationRequiredError);
    expect(out.error!.message).toContain("restarts stateful service 'client'");
    expect(ran.some((l) => l.includes('.partial'))).toBe(false);
    expect(ran.at(-1)).toContain('rm -rf /srv/pv/.lock');
  });

  it('an unchanged stack verified running is two round trips: lock+read, unlock', async () => {
    const rel = stackRelease(stack, testContext().secrets, KEY).id;
    const { host, ran } = fakeHost(probeText([`current ${rel}`, `release ${rel}`, running('web'), running('client')]));
    const out = await deployHost(target, testContext({ connect: async () => host }));
    expect(out.status).toBe('unchanged');
    expect(ran).toHaveLength(2);
  });

  it('a failure before the switch leaves current alone: no switch ran, nothing to roll back', async () => {
    const { host, ran } = fakeHost(probeText(['current OLD', 'release OLD', running('web', 'old'), running('client')]), { fail: /tar -x/ });
    const out = await deployHost(target, testContext({ connect: async () => host }));
    expect(out.status).toBe('failed');
    expect(ran.filter((l) => l.includes('ln -sfn'))).toHaveLength(1); // inside the failed upload script only
    expect(ran.some((l) => l.includes('"step":"rollback"'))).toBe(false);
    expect(ran.at(-1)).toContain('rm -rf /srv/pv/.lock');
  });

  it('a live lock fails at once with a release command that works as printed', async () => {
    const info = JSON.stringify({ run: 'beef', owner: 'bob@ci', machine: 'elsewhere', pid: 7, since: '2026-01-01T00:00:00Z' });
    const { host } = fakeHost('', { lockCode: 75, lockStdout: `now 1700000010\nlock 1700000000 ${info}\n` });
    const out = await deployHost(
      target,
      testContext({ connect: async () => host, releaseHint: (g) => `pvestack lock release ./specs/prod.yaml ${g} --root /srv/pv -i ~/.ssh/deploy` }),
    );
    expect(out.error).toBeInstanceOf(LockHeldError);
    expect(out.error!.message).toBe(
      'Deploy lock on app (fake:22) held by bob@ci, run beef, pid 7 on elsewhere, since 2026-01-01T00:00:00Z; last heartbeat 10 s ago. If that deploy is dead, run: pvestack lock release ./specs/prod.yaml app --root /srv/pv -i ~/.ssh/deploy',
    );
  });

  it('touches the lock heartbeat while a long step runs, and stops when the deploy ends', async () => {
    const { host, ran } = fakeHost(probeText(['current OLD', 'release OLD', running('web', 'old'), running('client')]));
    const beatsSoFar = () => ran.filter((l) => l === 'touch -c /srv/pv/.lock/heartbeat').length;
    // The long step ends only once three heartbeats have landed while it runs: no fixed duration
    // that a busy machine could stretch past the beats (a deploy that never beats hangs here and
    // fails on the test's time-out).
    const threeBeats = async () => {
      while (beatsSoFar() < 3) await new Promise((r) => setTimeout(r, 5));
    };
    const slow: RemoteHost = {
      ...host,
      run: async (argv, o) => (toShell(argv).includes('"step":"health"') ? threeBeats().then(() => host.run(argv, o)) : host.run(argv, o)),
    };
    const out = await deployHost(target, testContext({ connect: async () => slow, heartbeatMs: 20 }));
    expect(out.error?.message).toBeUndefined();
    const beats = beatsSoFar();
    expect(beats).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 60));
    expect(beatsSoFar()).toBe(beats);
  });

  it('a stopped run starts no new host', async () => {
    const stop = new AbortController();
    stop.abort('SIGINT');
    let connected = 0;
    const report = await deployAll(
      [target, { ...target, guest: 'other' }],
      testContext({ signal: stop.signal, connect: async () => ((connected += 1), fakeHost('').host) }),
      { concurrency: 1 },
    );
    expect(connected).toBe(0);
    expect(report.ok).toBe(false);
    expect(report.hosts.map((h) => [h.guest, h.status, h.notes])).toEqual([
      ['app', 'interrupted', ['not started: the run was stopped before this host']],
      ['other', 'interrupted', ['not started: the run was stopped before this host']],
    ]);
  });

  it('a lock that cannot be written names the cause and the place', async () => {
    const { host } = fakeHost('', { lockCode: 74, lockStderr: 'sh: 1: cannot create /srv/pv/.lock/info.tmp: No space left on device\n' });
    const out = await deployHost(target, testContext({ connect: async () => host }));
    expect(out.error).toBeInstanceOf(OperationError);
    expect(out.error!.message).toContain('cannot write the deploy lock /srv/pv/.lock: sh: 1: cannot create /srv/pv/.lock/info.tmp: No space left on device');
    expect(out.error!.message).toContain('Free space on fake:/srv/pv');
  });
});
