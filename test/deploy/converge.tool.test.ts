import { expect, it } from 'vitest';
import { inject } from 'vitest';
import { toShell } from '../../deploy/commands';
import { dryRunHost } from '../../deploy/dry-run';
import { deployHost, HostTarget } from '../../deploy/host-deploy';
import { describeWithTools } from '../support/tools';
import { containerOf, currentRelease, deployTestHost, docker, healthOf, startedAt, targetFor, testContext, webStack } from './fixtures';

const dockerHost = inject('dockerHost');
const IMAGE = 'local/pvestack-deploy-converge:1';

if (!dockerHost) console.warn('\n*** SKIPPING deploy convergence tests: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools(
  'deploy over SSH: convergence and dry-run equivalence',
  dockerHost ? ['/usr/sbin/sshd', 'ssh-keygen', 'docker-compose'] : ['(docker engine)'],
  () => {
    const host = deployTestHost(dockerHost, IMAGE, 'converge');
    const { rootFor, project } = host;

    /** Dry-runs, then deploys recording every command it runs: both must be the same list. */
    async function dryRunThenDeploy(target: HostTarget) {
      const ctx = testContext();
      const planned = await dryRunHost(target, ctx);
      const ran: string[] = [];
      const outcome = await deployHost(target, testContext({ onCommand: (_g, argv) => ran.push(ctx.masker.mask(toShell(argv))) }));
      return { planned, ran, outcome };
    }

    it('--dry-run prints exactly the commands a deploy then runs: first deploy, a new release, a repair, nothing to do', async () => {
      const p = project('converge-dry');
      const target = (release: string, clientRelease?: string) =>
        targetFor(
          host.sshd,
          [webStack(p, { image: IMAGE, release, ...(clientRelease ? { clientRelease } : {}), sharedNetwork: 'pvestack-converge' })],
          dockerHost,
          rootFor(p),
        );

      const first = await dryRunThenDeploy(target('v1'));
      expect(first.outcome.error?.message).toBeUndefined();
      expect(first.ran).toEqual(first.planned.commands);
      expect(first.planned.stacks[0]!.action).toBe('deploy');

      const second = await dryRunThenDeploy(target('v2', 'c2'));
      expect(second.outcome.error?.message).toBeUndefined();
      expect(second.ran).toEqual(second.planned.commands);
      expect(second.planned.stacks[0]!.services).toEqual(['web', 'client']);
      expect(second.outcome.stacks[0]!.restarted).toEqual(['web', 'client']);

      docker(dockerHost, ['stop', '-t', '1', containerOf(dockerHost, p, 'client')]);
      const repair = await dryRunThenDeploy(target('v2', 'c2'));
      expect(repair.ran).toEqual(repair.planned.commands);
      expect(repair.planned.stacks[0]).toMatchObject({ action: 'repair', services: ['client'] });

      const none = await dryRunThenDeploy(target('v2', 'c2'));
      expect(none.ran).toEqual(none.planned.commands);
      expect(none.ran).toHaveLength(2);
      expect(none.outcome.status).toBe('unchanged');
    }, 180_000);

    it('containers stopped or removed by hand are brought back by a deploy that changed nothing', async () => {
      const p = project('converge-repair');
      const target = targetFor(host.sshd, [webStack(p, { image: IMAGE })], dockerHost, rootFor(p));
      expect((await deployHost(target, testContext())).error?.message).toBeUndefined();
      const release = currentRelease(rootFor(p), p);
      const webStarted = startedAt(dockerHost, p).web;

      docker(dockerHost, ['stop', '-t', '1', containerOf(dockerHost, p, 'client')]);
      const stopped = await deployHost(target, testContext());
      expect(stopped.error?.message).toBeUndefined();
      expect(stopped.status).toBe('repaired');
      expect(stopped.stacks[0]).toMatchObject({ status: 'repaired', release, restarted: ['client'] });
      expect(healthOf(dockerHost, p)).toEqual({ web: 'healthy', client: 'healthy' });

      docker(dockerHost, ['rm', '-f', containerOf(dockerHost, p, 'client')]);
      const removed = await deployHost(target, testContext());
      expect(removed.status).toBe('repaired');
      expect(healthOf(dockerHost, p)).toEqual({ web: 'healthy', client: 'healthy' });
      // The service that ran as released was left alone; the release did not change.
      expect(startedAt(dockerHost, p).web).toBe(webStarted);
      expect(currentRelease(rootFor(p), p)).toBe(release);

      const again = await deployHost(target, testContext());
      expect(again.status).toBe('unchanged');
    }, 120_000);
  },
  { root: true },
);
