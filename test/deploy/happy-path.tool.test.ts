import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { deployAll } from '../../deploy/orchestrator';
import { startSshd, TestSshd } from '../support/sshd';
import { describeWithTools, scratchDir } from '../support/tools';
import { buildWebImage, currentRelease, healthOf, removeProject, startedAt, targetFor, testContext, webStack } from './fixtures';

const dockerHost = inject('dockerHost');
const IMAGE = 'local/pvestack-deploy-happy:1';
const PROJECTS = ['happy-h1', 'happy-h2', 'happy-h3'];

if (!dockerHost) console.warn('\n*** SKIPPING deploy happy path: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools(
  'deploy over SSH: happy path on 3 hosts',
  dockerHost ? ['/usr/sbin/sshd', 'ssh-keygen', 'docker-compose'] : ['(docker engine)'],
  () => {
    const hosts: TestSshd[] = [];
    let scratch: ReturnType<typeof scratchDir>;
    const roots: string[] = [];

    beforeAll(async () => {
      buildWebImage(dockerHost, IMAGE);
      scratch = scratchDir('pvestack-deploy-happy-');
      hosts.push(await startSshd());
      hosts.push(await startSshd({ clientKey: hosts[0]!.privateKeyPath }));
      hosts.push(await startSshd({ clientKey: hosts[0]!.privateKeyPath }));
      for (const p of PROJECTS) roots.push(path.join(scratch.dir, p));
    });
    afterAll(() => {
      for (const p of PROJECTS) removeProject(dockerHost, p);
      for (const h of hosts) h.stop();
      scratch?.cleanup();
    });

    const targets = (release: string) => hosts.map((h, i) => targetFor(h, [webStack(PROJECTS[i]!, { image: IMAGE, release })], dockerHost, roots[i]!));

    it('deploys a two-service stack to 3 hosts in parallel; all healthy; current points at the new release', async () => {
      const ctx = testContext();
      const report = await deployAll(targets('v1'), ctx, { concurrency: 3 });
      expect(report.hosts.map((h) => h.error?.message)).toEqual([undefined, undefined, undefined]);
      expect(report.ok).toBe(true);
      for (const [i, h] of report.hosts.entries()) {
        expect(h.status).toBe('deployed');
        expect(currentRelease(roots[i]!, PROJECTS[i]!)).toBe(h.stacks[0]!.release);
        expect(healthOf(dockerHost, PROJECTS[i]!)).toEqual({ web: 'healthy', client: 'healthy' });
        // The secret env file is 0600 and holds the value; the compose file does not.
        const rel = path.join(roots[i]!, PROJECTS[i]!, 'current');
        expect(fs.statSync(path.join(rel, 'secrets/web.env')).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(path.join(rel, 'secrets/web.env'), 'utf8')).toContain('API_TOKEN=');
        expect(fs.existsSync(path.join(roots[i]!, '.lock'))).toBe(false);
        // The manifest and the host's key are root's only; so is the journal's directory.
        expect(fs.statSync(path.join(rel, '.pvestack-release.json')).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.join(roots[i]!, '.state')).mode & 0o777).toBe(0o700);
        expect(fs.statSync(path.join(roots[i]!, '.state', 'key')).mode & 0o777).toBe(0o600);
        expect(fs.existsSync(path.join(roots[i]!, '.state', 'journal'))).toBe(false);
      }
      // The hosts ran at the same time: every host connected before any finished.
      const firstDone = ctx.stages.findIndex((s) => s.endsWith(' done'));
      expect(ctx.stages.slice(0, firstDone).filter((s) => s.endsWith(' connect'))).toHaveLength(3);
    });

    it('a re-deploy with no change restarts nothing', async () => {
      const before = PROJECTS.map((p) => startedAt(dockerHost, p));
      const releases = PROJECTS.map((p, i) => currentRelease(roots[i]!, p));
      const report = await deployAll(targets('v1'), testContext(), { concurrency: 3 });
      expect(report.hosts.map((h) => h.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(PROJECTS.map((p) => startedAt(dockerHost, p))).toEqual(before);
      expect(PROJECTS.map((p, i) => currentRelease(roots[i]!, p))).toEqual(releases);
    });

    it('a change to one service recreates only that service', async () => {
      const before = startedAt(dockerHost, PROJECTS[0]!);
      // Only client's definition changes (a new env var).
      const changed = webStack(PROJECTS[0]!, { image: IMAGE, release: 'v1', clientRelease: 'c2' });
      const report = await deployAll([targetFor(hosts[0]!, [changed], dockerHost, roots[0]!)], testContext());
      expect(report.hosts[0]!.error?.message).toBeUndefined();
      expect(report.hosts[0]!.stacks[0]!.restarted).toEqual(['client']);
      const after = startedAt(dockerHost, PROJECTS[0]!);
      expect(after.web).toBe(before.web);
      expect(after.client).not.toBe(before.client);
    });
  },
  { root: true },
);
