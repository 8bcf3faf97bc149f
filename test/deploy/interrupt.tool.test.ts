/**
 * The deployer's own death: a 3-host deploy through the real CLI, real sshd (one mount namespace
 * per host, so each has its own deploy root at the same path) and the test dockerd. At every step
 * boundary the CLI holds all hosts and signals itself (`PVESTACK_FAULT_AT`, see
 * bin/commands/deploy.ts): deterministic, no sleeps.
 * - SIGKILL, then deploy again: every host on the new release, healthy, no lock, exit 0, and the
 *   output says an interrupted deploy was found and finished.
 * - SIGINT: every host back on the old release, healthy, locks released, exit 130, summary printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { loopbackHostsSpec } from '../support/loopback-spec';
import { startSshd, type TestSshd } from '../support/sshd';
import { describeWithTools, scratchDir } from '../support/tools';
import { buildWebImage, docker, healthOf, removeProject, wgetHealth } from './fixtures';

const dockerHost = inject('dockerHost');
const IMAGE = 'local/pvestack-deploy-interrupt:1';
const CLI = path.join(__dirname, '..', '..', 'bin', 'pvestack.js');
const TOKEN = 'interrupt-test-token-value';
const BOUNDARIES = ['lock', 'upload', 'switch', 'recreate:web', 'recreate:client', 'health', 'prune'] as const;
const HOSTS = 3;

if (!dockerHost) console.warn('\n*** SKIPPING deploy interruption suite: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools(
  'deploy: the deployer killed or stopped at every step boundary (3 hosts, real CLI)',
  dockerHost ? ['/usr/sbin/sshd', 'ssh-keygen', 'docker-compose', 'unshare'] : ['(docker engine)'],
  () => {
    let scratch: ReturnType<typeof scratchDir>;
    const hosts: TestSshd[] = [];
    let root = '';
    let spec = '';
    let release = 0;
    const project = (i: number) => `intr${i + 1}`;
    const hostDir = (i: number) => path.join(scratch.dir, `host-${i + 1}`);

    /** The spec: three external hosts, each with one compose stack of two services; both change with `release`. */
    function writeSpec(n: number): void {
      const doc = loopbackHostsSpec({
        name: 'interrupt',
        description: 'Fault-injection lab',
        hosts,
        guestName: (i) => `h${i + 1}`,
        stacks: (i) => [
          {
            kind: 'compose',
            name: project(i),
            services: [
              {
                name: 'web',
                image: IMAGE,
                command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
                env: { RELEASE: `v${n}` },
                secrets: ['api-token'],
                volumes: ['data:/data'],
                healthcheck: wgetHealth('http://127.0.0.1:8080/'),
              },
              {
                name: 'client',
                image: IMAGE,
                command: ['httpd', '-f', '-p', '8081', '-h', '/www'],
                env: { RELEASE: `v${n}` },
                dependsOn: ['web'],
                // No healthcheck of its own: health waits are web's (and the health-wait suite's);
                // every idle container's 1 s check costs the engine about 60 ms of CPU a second,
                // for the whole length of this long suite.
              },
            ],
          },
        ],
        secrets: { 'api-token': { env: 'INTERRUPT_API_TOKEN', description: 'test token' } },
      });
      fs.writeFileSync(spec, stringify(doc));
    }

    function deploy(fault?: string) {
      const r = spawnSync(
        process.execPath,
        [
          CLI,
          'deploy',
          spec,
          '--root',
          root,
          '-i',
          hosts[0]!.privateKeyPath,
          '--plain',
          '--yes',
          '--concurrency',
          String(HOSTS),
          '--health-timeout',
          '120',
          '--no-checks',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, CI: 'true', INTERRUPT_API_TOKEN: TOKEN, ...(fault ? { PVESTACK_FAULT_AT: fault } : {}) },
          timeout: 240_000,
        },
      );
      return { code: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
    }

    /** The RELEASE every running container of host i has, its health, and what the host holds. */
    function hostState(i: number) {
      const ids = docker(dockerHost, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project(i)}`])
        .split('\n')
        .filter(Boolean);
      const releases = new Set(
        ids.map(
          (id) =>
            docker(dockerHost, ['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', id])
              .split('\n')
              .find((l) => l.startsWith('RELEASE=')) ?? 'none',
        ),
      );
      return {
        releases: [...releases],
        health: healthOf(dockerHost, project(i)),
        locked: fs.existsSync(path.join(hostDir(i), '.lock')),
        journal: fs.existsSync(path.join(hostDir(i), '.state', 'journal')),
        partials: fs.readdirSync(path.join(hostDir(i), project(i), 'releases')).filter((d) => d.endsWith('.partial')),
      };
    }

    const allOn = (_n: number) => Array.from({ length: HOSTS }, (_, i) => hostState(i)).map((s) => ({ ...s, releases: s.releases.join(',') }));
    const expected = (n: number) =>
      Array.from({ length: HOSTS }, () => ({
        releases: `RELEASE=v${n}`,
        health: { web: 'healthy', client: 'none' },
        locked: false,
        journal: false,
        partials: [],
      }));

    beforeAll(async () => {
      buildWebImage(dockerHost, IMAGE);
      scratch = scratchDir('pvestack-deploy-interrupt-');
      root = path.join(scratch.dir, 'root');
      fs.mkdirSync(root);
      spec = path.join(scratch.dir, 'interrupt.yaml');
      for (let i = 0; i < HOSTS; i++) {
        fs.mkdirSync(hostDir(i));
        hosts.push(
          await startSshd({
            ...(i > 0 ? { clientKey: hosts[0]!.privateKeyPath } : {}),
            address: `127.0.0.${i + 2}`,
            env: { DOCKER_HOST: dockerHost },
            ownDir: { source: hostDir(i), target: root },
          }),
        );
      }
      // The three test hosts share one Docker engine; real hosts each create the shared network on
      // their own engine. Created here so that three first deploys do not race to create one name.
      docker(dockerHost, ['network', 'create', 'pvestack-interrupt']);
      writeSpec(release);
      const first = deploy();
      expect(first.code, first.out).toBe(0);
      expect(allOn(release)).toEqual(expected(release));
    }, 240_000);

    afterAll(() => {
      for (let i = 0; i < HOSTS; i++) removeProject(dockerHost, project(i));
      docker(dockerHost, ['network', 'rm', 'pvestack-interrupt']);
      for (const h of hosts) h.stop();
      scratch?.cleanup();
    });

    for (const boundary of BOUNDARIES) {
      it(`SIGKILL at '${boundary}', then deploy again: every host on the new release, healthy, unlocked; the interrupted deploy is found and finished`, () => {
        writeSpec(++release);
        const killed = deploy(`${boundary}:SIGKILL`);
        expect(killed.signal, killed.out).toBe('SIGKILL');
        const again = deploy();
        expect(again.code, again.out).toBe(0);
        for (let i = 1; i <= HOSTS; i++) {
          expect(again.out).toContain(`h${i}: found an interrupted deploy: it stopped at step '`);
          expect(again.out).toContain(`h${i}: the interrupted deploy was finished`);
        }
        expect(allOn(release)).toEqual(expected(release));
      }, 240_000);

      it(`SIGINT at '${boundary}': every host back on the old release, healthy, locks released, exit 130, summary printed`, () => {
        const old = release;
        writeSpec(old + 1);
        const stopped = deploy(`${boundary}:SIGINT`);
        expect(stopped.code, stopped.out).toBe(130);
        expect(stopped.out).toContain('SIGINT: stopping; no new step starts');
        expect(stopped.out).toContain('Stopped by SIGINT:');
        for (let i = 1; i <= HOSTS; i++) expect(stopped.out).toMatch(new RegExp(`  h${i}: interrupted.*; lock released`));
        expect(allOn(old)).toEqual(expected(old));
        writeSpec(old);
      }, 240_000);
    }

    /** The pvestack CLI with arguments as a user would type them (a printed hint is run through sh). */
    function pvestack(commandLine: string) {
      const r = spawnSync('sh', ['-c', commandLine.replace(/^pvestack /, `"${process.execPath}" "${CLI}" `)], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', INTERRUPT_API_TOKEN: TOKEN },
      });
      return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
    }
    const lockFile = (i: number) => path.join(hostDir(i), '.lock');
    function plantLock(i: number, info: object, ageSeconds: number): void {
      fs.mkdirSync(lockFile(i));
      fs.writeFileSync(path.join(lockFile(i), 'info'), `${JSON.stringify(info)}\n`);
      fs.writeFileSync(path.join(lockFile(i), 'heartbeat'), '');
      const t = Date.now() / 1000 - ageSeconds;
      for (const f of ['info', 'heartbeat']) fs.utimesSync(path.join(lockFile(i), f), t, t);
      fs.utimesSync(lockFile(i), t, t);
    }

    it('a live lock: deploy and lock status agree; the printed release command works as printed; a second release fails', () => {
      plantLock(0, { run: 'feed01', owner: 'bob@ci', machine: 'another-runner', pid: 4242, since: '2026-01-01T00:00:00.000Z' }, 5);
      const status = pvestack(`pvestack lock status ${spec} h1 --root ${root} -i ${hosts[0]!.privateKeyPath}`);
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(
        /h1: locked, held by bob@ci, run feed01, pid 4242 on another-runner, since 2026-01-01T00:00:00.000Z; last heartbeat \d+ s ago/,
      );
      const blocked = deploy();
      expect(blocked.code, blocked.out).toBe(1);
      expect(blocked.out).toMatch(/Deploy lock on h1 .* held by bob@ci, run feed01, pid 4242 on another-runner/);
      const hint = /If that deploy is dead, run: (pvestack lock release .*)$/m.exec(blocked.out)?.[1];
      expect(hint).toBe(`pvestack lock release ${spec} h1 --root ${root} -i ${hosts[0]!.privateKeyPath}`);
      const released = pvestack(hint!);
      expect(released.code, released.out).toBe(0);
      expect(fs.existsSync(lockFile(0))).toBe(false);
      const again = pvestack(hint!);
      expect(again.code).toBe(1);
      expect(again.out).toContain(`h1: nothing released: there is no deploy lock at root@${hosts[0]!.host}:${root}/.lock`);
      // Nothing was deployed while the lock was held, and the other hosts were released.
      expect(allOn(release)).toEqual(expected(release));
    }, 120_000);

    it('lock release with a wrong root fails and releases nothing', () => {
      plantLock(1, { run: 'feed02', owner: 'bob@ci', machine: 'another-runner', pid: 4242, since: '2026-01-01T00:00:00.000Z' }, 5);
      const wrong = pvestack(`pvestack lock release ${spec} h2 --root /srv/no-such-root -i ${hosts[0]!.privateKeyPath}`);
      expect(wrong.code).toBe(1);
      expect(wrong.out).toContain('nothing released: there is no deploy lock at root@127.0.0.3:/srv/no-such-root/.lock');
      expect(fs.existsSync(lockFile(1))).toBe(true);
      expect(pvestack(`pvestack lock status ${spec} h2 --root /srv/no-such-root -i ${hosts[0]!.privateKeyPath}`).out).toContain(
        '/srv/no-such-root does not exist: is --root right?',
      );
      fs.rmSync(lockFile(1), { recursive: true });
    });

    it('a stale lock (no heartbeat past the expiry) is shown as stale, and a deploy takes it over and says so', () => {
      plantLock(2, { run: 'feed03', owner: 'carol@laptop', machine: 'gone-machine', pid: 77, since: '2026-01-01T00:00:00.000Z' }, 600);
      const status = pvestack(`pvestack lock status ${spec} h3 --root ${root} -i ${hosts[0]!.privateKeyPath}`);
      expect(status.out).toMatch(/h3: locked, held by carol@laptop, run feed03, .*; stale: no heartbeat for \d+ s \(expiry 120 s\)/);
      const taken = deploy();
      expect(taken.code, taken.out).toBe(0);
      expect(taken.out).toMatch(/h3: took over a stale deploy lock \(held by carol@laptop, run feed03, .*stale: no heartbeat for \d+ s/);
      expect(allOn(release)).toEqual(expected(release));
    }, 120_000);

    it('SIGTERM at a boundary: hosts back on the old release, exit 143', () => {
      const old = release;
      writeSpec(old + 1);
      const stopped = deploy('recreate:web:SIGTERM');
      expect(stopped.code, stopped.out).toBe(143);
      expect(stopped.out).toContain('Stopped by SIGTERM:');
      expect(allOn(old)).toEqual(expected(old));
      writeSpec(old);
    }, 240_000);

    it('a second Ctrl-C aborts at once and says where each host was; the next deploy finishes what it left', async () => {
      writeSpec(++release);
      const child = spawn(
        process.execPath,
        [CLI, 'deploy', spec, '--root', root, '-i', hosts[0]!.privateKeyPath, '--plain', '--yes', '--concurrency', String(HOSTS), '--no-checks'],
        {
          env: { ...process.env, CI: 'true', INTERRUPT_API_TOKEN: TOKEN, PVESTACK_FAULT_AT: 'switch:SIGINT' },
        },
      );
      let out = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const onData = (d: Buffer) => {
        out += d.toString();
        // The first SIGINT came from the fault hook; the user presses Ctrl-C again while hosts roll back.
        if (out.includes('SIGINT: stopping') && !child.killed) child.kill('SIGINT');
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      expect(await exited, out).toBe(130);
      expect(out).toContain('SIGINT again: aborting now. Where each host was:');
      for (let i = 1; i <= HOSTS; i++) expect(out).toMatch(new RegExp(`  h${i}: \\S+`));
      const again = deploy();
      expect(again.code, again.out).toBe(0);
      expect(again.out).toContain('found an interrupted deploy');
      expect(allOn(release)).toEqual(expected(release));
    }, 240_000);
  },
  { root: true },
);
