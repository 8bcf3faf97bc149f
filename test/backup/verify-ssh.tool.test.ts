/**
 * `pvestack backup verify` over SSH, as CI runs it: the guest is a real sshd on loopback whose
 * sessions reach the test Docker engine (the guest's own engine), and the backup on it is a real
 * one (`drill-fixture.ts`). The CLI runs without any Docker engine of its own.
 * - A good backup restores; the report names the restored point in time and the loss window, and
 *   no drill container is left.
 * - A corrupt WAL segment fails the drill loudly (exit 1), and the failure is recorded.
 * - SIGINT mid-drill: exit 130, the container is removed at once, nothing is recorded.
 * - SIGKILL mid-drill: the container outlives the CLI; the next run names it and prints the command
 *   that removes it, and that command, run as printed, does.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { DRILL_LABEL } from '../../backup/drill';
import { loopbackHostsSpec } from '../support/loopback-spec';
import { startSshd, type TestSshd } from '../support/sshd';
import { describeWithTools, scratchDir, waitFor } from '../support/tools';
import { DRILL_FIXTURE_TOOLS, DrillBackup, makeDrillBackup } from './drill-fixture';

const dockerHost = inject('dockerHost');
const CLI = path.join(__dirname, '..', '..', 'bin', 'pvestack.js');
/** Its own guest name: the local drill suite may drill `db` on the same engine at the same time. */
const GUEST = 'pgssh';
/** A verify query that keeps the drill container busy long enough to be interrupted. */
const SLOW_QUERY = 'SELECT pg_sleep(600), count(*) FROM orders;';

describeWithTools(
  'pvestack backup verify over SSH: a restore drill on the guest (real sshd, real Docker engine)',
  dockerHost ? [...DRILL_FIXTURE_TOOLS, '/usr/sbin/sshd', 'ssh-keygen'] : ['dockerd-started-by-global-setup'],
  () => {
    const scratch = scratchDir('pvestack-drill-ssh-');
    let backup: DrillBackup;
    let sshd: TestSshd;
    const spec = path.join(scratch.dir, 'drill-ssh.yaml');
    const slowSpec = path.join(scratch.dir, 'drill-ssh-slow.yaml');
    // The CLI has no Docker engine of its own: everything it runs, it runs on the guest.
    const cliEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete cliEnv.DOCKER_HOST;
    const args = (file: string, json: boolean) => [CLI, ...(json ? ['--json'] : []), 'backup', 'verify', file, GUEST, '-i', sshd.privateKeyPath];
    const verify = (file = spec, json = true) => spawnSync(process.execPath, args(file, json), { env: cliEnv, encoding: 'utf8', timeout: 240_000 });
    const docker = (argv: string[]) => spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8' });
    const drillContainers = (running = false) =>
      docker(['ps', ...(running ? [] : ['-a']), '--filter', `label=${DRILL_LABEL}=${GUEST}`, '--format', '{{.Names}}']).stdout.trim();

    function writeSpec(file: string, verifyQuery?: string): void {
      const { secrets, storageBoxes, guest } = backup.specParts;
      const doc = loopbackHostsSpec({
        name: 'drillssh',
        description: 'Restore drill over SSH',
        hosts: [sshd],
        guestName: () => GUEST,
        stacks: () => guest(verifyQuery).stacks,
        secrets,
      });
      const guests = doc.guests as Record<string, unknown>[];
      guests[0] = { ...guests[0], role: 'db', storageBoxMounts: guest().storageBoxMounts };
      fs.writeFileSync(file, stringify({ ...doc, storageBoxes }));
    }

    /** Starts a slow drill and resolves once it runs its verify query; the child and its output so far. */
    async function slowDrill() {
      const child = spawn(process.execPath, args(slowSpec, false), { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      await waitFor('the drill container to run', () => drillContainers(true) !== '', 120_000, 200);
      // Past the restore, into the verify query (psql running the drill's query file): mid-way.
      await waitFor(
        'the drill to run its verify query',
        () => {
          const name = drillContainers(true).split('\n')[0];
          // `docker top` runs ps on the host and needs a pid column in what it asks for.
          return !!name && docker(['top', name, '-eo', 'pid,args']).stdout.includes('query.sql');
        },
        120_000,
        200,
      );
      return { child, exited, output: () => out };
    }

    beforeAll(async () => {
      backup = await makeDrillBackup(scratch.dir, dockerHost);
      sshd = await startSshd({ env: { DOCKER_HOST: dockerHost } });
      writeSpec(spec);
      writeSpec(slowSpec, SLOW_QUERY);
    }, 300_000);
    afterAll(() => {
      const left = drillContainers();
      if (left) docker(['rm', '-f', ...left.split('\n')]);
      sshd?.stop();
      backup?.stopServer();
      scratch.cleanup();
    });

    it('restores the newest backup on the guest and reports the restored point in time and the loss window', () => {
      const r = verify();
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ ok: true, env: 'drillssh', guest: GUEST, leftovers: [] });
      expect(report.rows).toEqual([
        ['public.customers', '42'],
        ['public.orders', '600'],
      ]);
      expect(report.pointInTime).toBe(report.restoredTo);
      expect(Date.parse(report.restoredTo)).toBeGreaterThan(Date.parse(report.baseBackupFinishedAt) - 1000);
      expect(report.lossWindowSeconds).toBeGreaterThanOrEqual(0);
      expect(report.lossWindowSeconds).toBeLessThan(900);
      expect(drillContainers()).toBe('');
      expect(backup.drillRecord()).toMatch(/^ok \d{4}-\d\d-\d\dT/);
      // The drill went through the guest's sshd.
      expect(fs.readFileSync(path.join(sshd.dir, 'sshd.log'), 'utf8')).toMatch(/Accepted publickey for root/);
    }, 240_000);

    it('fails loudly over SSH when an archived WAL segment is corrupt, and records the failure', () => {
      const file = path.join(backup.box, 'wal', backup.segmentAfterBase);
      const good = fs.readFileSync(file);
      try {
        const bad = Buffer.from(good);
        bad.fill(0, 0, 64 * 1024);
        fs.writeFileSync(file, bad);
        const r = verify(spec, false);
        expect(r.status, r.stderr + r.stdout).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`restore drill of ${GUEST} \\(drillssh\\) FAILED[\\s\\S]*replay stopped before the newest archived segment`));
        expect(drillContainers()).toBe('');
        expect(backup.drillRecord()).toMatch(/^failed /);
      } finally {
        fs.writeFileSync(file, good);
      }
    }, 240_000);

    it('SIGINT mid-drill: exit 130, the container removed at once, the recorded outcome untouched', async () => {
      const before = backup.drillRecord();
      const drill = await slowDrill();
      const container = /container (pvestack-drill-\S+)\)/.exec(drill.output())?.[1];
      expect(container, drill.output()).toBeDefined();
      drill.child.kill('SIGINT');
      const end = await drill.exited;
      expect(end.code, drill.output()).toBe(130);
      expect(drill.output()).toContain('SIGINT: stopping the drill and removing its container');
      expect(drill.output()).toContain(`restore drill of ${GUEST} (drillssh) stopped by SIGINT: its container ${container} was removed on ${GUEST} over SSH`);
      expect(drillContainers()).toBe('');
      expect(backup.drillRecord()).toBe(before);
    }, 240_000);

    it('SIGKILL mid-drill: the next run names the container left running and how to remove it; the printed command removes it', async () => {
      const drill = await slowDrill();
      const container = /container (pvestack-drill-\S+)\)/.exec(drill.output())?.[1] ?? '(no container named)';
      drill.child.kill('SIGKILL');
      expect((await drill.exited).signal).toBe('SIGKILL');
      // Nothing in the CLI could run: the container outlives it.
      expect(drillContainers(true)).toBe(container);

      const next = verify(spec, false);
      expect(next.status, next.stderr + next.stdout).toBe(0);
      const warning = new RegExp(
        `warning: the container ${container} of an earlier drill of ${GUEST} is still there \\(Up [^)]*\\): a \`backup verify\` that was killed left it\\. ` +
          `It is removed when its restore ends; to remove it now \\(if no other drill of ${GUEST} is running\\): (docker rm -f ${container}) on ${GUEST}`,
      );
      const printed = warning.exec(next.stderr)?.[1];
      expect(printed, next.stderr).toBeDefined();
      // The new drill passed beside it, and removed only its own container.
      expect(next.stdout + next.stderr).toMatch(/data-loss window +\d+ s/);
      expect(drillContainers()).toBe(container);

      // On the guest (the sshd's sessions reach its engine), exactly as printed.
      const removed = spawnSync('ssh', [...sshd.sshArgs, printed!], { encoding: 'utf8' });
      expect(removed.status, removed.stderr).toBe(0);
      expect(drillContainers()).toBe('');
    }, 300_000);
  },
  { root: true },
);
