import { describe, expect, it } from 'vitest';
import { toShell } from '../../deploy/commands';
import { deployHost, HostTarget } from '../../deploy/host-deploy';
import { releaseFiles, serviceFingerprints } from '../../deploy/release';
import type { RemoteHost, RunResult } from '../../deploy/ssh';
import { ConfirmationRequiredError, RemoteCommandError } from '../../model';
import { testContext, webStack } from './fixtures';

/** A scripted host: answers the reads, records every command, fails what `fail` matches. */
function fakeHost(current: { id: string; services: Record<string, string> } | undefined, fail?: RegExp) {
  const ran: string[] = [];
  const host: RemoteHost = {
    name: 'ops@fake:22',
    async run(argv): Promise<RunResult> {
      const line = toShell(argv);
      ran.push(line);
      if (fail?.test(line)) throw new RemoteCommandError('ops@fake:22', argv, 1, 'boom');
      if (line.includes('readlink') && line.includes('.pvestack-release.json')) {
        return { stdout: current ? `releases/${current.id}\n${JSON.stringify({ id: current.id, stack: 'app', hash: 'old', services: current.services })}` : '', stderr: '', code: 0 };
      }
      if (line.includes('docker compose version')) return { stdout: 'v1\n', stderr: '', code: 0 };
      return { stdout: '', stderr: '', code: 0 };
    },
    isConnected: () => true,
    close: () => undefined,
  };
  return { host, ran };
}

const stack = webStack('app', { image: 'img:1', statefulClient: true });
const target: HostTarget = { guest: 'app', root: '/srv/pv', stacks: [stack], endpoint: { host: 'fake', port: 22, user: 'ops', hostKeys: [] } };
const ctx = testContext();
const fingerprints = serviceFingerprints(stack, releaseFiles(stack, ctx.secrets));

describe('host deploy state machine (scripted host)', () => {
  it('refuses to restart a changed stateful service without confirmation, before uploading, and releases the lock', async () => {
    const { host, ran } = fakeHost({ id: 'OLD', services: { ...fingerprints, client: 'different' } });
    const out = await deployHost(target, testContext({ connect: async () => host, confirmStateful: async () => false }));
    expect(out.error).toBeInstanceOf(ConfirmationRequiredError);
    expect(out.error!.message).toContain("restarts stateful service 'client'");
    expect(ran.some((l) => l.includes('.partial'))).toBe(false);
    expect(ran.at(-1)).toBe('rm -rf -- /srv/pv/.lock');
  });

  it('does not ask when only stateless services changed', async () => {
    const { host, ran } = fakeHost({ id: 'OLD', services: { ...fingerprints, web: 'different' } }, /releases\/\*\.partial/);
    let asked = false;
    await deployHost(target, testContext({ connect: async () => host, confirmStateful: async () => ((asked = true), true) }));
    expect(asked).toBe(false);
    expect(ran.some((l) => l.includes('mkdir /srv/pv/app/releases/'))).toBe(true);
  });

  it('a failure before the switch leaves current alone: no switch command ran', async () => {
    const { host, ran } = fakeHost({ id: 'OLD', services: { ...fingerprints, web: 'different' } }, /mv -T \/srv\/pv\/app\/releases/);
    const out = await deployHost(target, testContext({ connect: async () => host }));
    expect(out.status).toBe('failed');
    expect(ran.some((l) => l.includes('ln -sfn'))).toBe(false);
    expect(ran.at(-1)).toBe('rm -rf -- /srv/pv/.lock');
  });
});
