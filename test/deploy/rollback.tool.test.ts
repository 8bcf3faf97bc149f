import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { inject } from 'vitest';
import { deployHost } from '../../deploy/host-deploy';
import { HealthCheckFailedError } from '../../model';
import { describeWithTools } from '../support/tools';
import { deployTestHost, containerOf, currentRelease, docker, healthOf, SECRET_VALUE, targetFor, testContext, webStack } from './fixtures';

const dockerHost = inject('dockerHost');
const IMAGE = 'local/pvestack-deploy-rollback:1';

if (!dockerHost) console.warn('\n*** SKIPPING deploy rollback test: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools(
  'deploy over SSH: health-gated rollback',
  dockerHost ? ['/usr/sbin/sshd', 'ssh-keygen', 'docker-compose'] : ['(docker engine)'],
  () => {
    const host = deployTestHost(dockerHost, IMAGE, 'rollback');
    const { rootFor, project } = host;

    it('rolls back a release whose healthcheck fails; the named volume keeps its data through deploy and rollback', async () => {
      const p = project('faults-rollback');
      const target = (opts: Parameters<typeof webStack>[1]) => targetFor(host.sshd, [webStack(p, opts)], dockerHost, rootFor(p));
      const v1 = await deployHost(target({ image: IMAGE, release: 'v1' }), testContext());
      expect(v1.error?.message).toBeUndefined();
      docker(dockerHost, ['exec', containerOf(dockerHost, p, 'web'), 'sh', '-c', 'echo precious > /data/marker']);

      const v2 = await deployHost(target({ image: IMAGE, release: 'v2' }), testContext());
      expect(v2.status).toBe('deployed');
      expect(docker(dockerHost, ['exec', containerOf(dockerHost, p, 'web'), 'cat', '/data/marker'])).toBe('precious');
      const good = currentRelease(rootFor(p), p);

      const v3 = await deployHost(target({ image: IMAGE, release: 'v3', brokenHealth: true }), testContext());
      expect(v3.status).toBe('rolled-back');
      expect(v3.error).toBeInstanceOf(HealthCheckFailedError);
      const err = v3.error as HealthCheckFailedError;
      expect(err.service).toBe('web');
      expect(err.message).toContain("service 'web'");
      // The service's logs are in the report, with the secret masked.
      expect(err.logs).toContain('starting with token ***');
      expect(err.message).not.toContain(SECRET_VALUE);
      expect(v3.stacks[0]!.release).toBe(good);
      expect(currentRelease(rootFor(p), p)).toBe(good);
      expect(healthOf(dockerHost, p)).toEqual({ web: 'healthy', client: 'healthy' });
      expect(docker(dockerHost, ['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', containerOf(dockerHost, p, 'web')])).toContain(
        'RELEASE=v2',
      );
      expect(docker(dockerHost, ['exec', containerOf(dockerHost, p, 'web'), 'cat', '/data/marker'])).toBe('precious');
      // The failed release stays on disk for inspection; the lock is gone.
      expect(fs.existsSync(path.join(rootFor(p), p, 'releases', v3.stacks[0]!.failedRelease!))).toBe(true);
      expect(fs.existsSync(path.join(rootFor(p), '.lock'))).toBe(false);
    }, 120_000);
  },
  { root: true },
);
