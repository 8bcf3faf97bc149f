import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { BUSYBOX_IMAGE } from '../../support/dockerd';
import { describeWithTools, freePort, scratchDir } from '../../support/tools';

const dockerHost = inject('dockerHost');
const CLI = path.join(__dirname, '..', '..', '..', 'bin', 'pvestack.js');
const ENV_NAME = 'updowntest';
const PROJECT = `${ENV_NAME}-box-app`;
/** A worker stack, listed first in the spec; the plan starts it after the app it calls (deploy/plan.ts, stackStartOrder). */
const WORKER_PROJECT = `${ENV_NAME}-box-worker`;
const IMAGE = 'local/pvestack-updown:1';
const CANARY = 'canary-$ecret value#1';

describeWithTools('pvestack up / down on a real Docker engine', dockerHost ? ['docker', 'docker-compose'] : ['dockerd-started-by-global-setup'], () => {
  const scratch = scratchDir('pvestack-updown-');
  const out = path.join(scratch.dir, 'out');
  const spec = path.join(scratch.dir, 'updown.yaml');
  const dockerEnv = { ...process.env, DOCKER_HOST: dockerHost };
  const docker = (...args: string[]) => spawnSync('docker', args, { env: dockerEnv, encoding: 'utf8' });
  const pvestack = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync('node', [CLI, '-o', out, ...args], { env: { ...dockerEnv, ...extraEnv }, encoding: 'utf8', timeout: 150_000 });

  beforeAll(async () => {
    const ctx = path.join(scratch.dir, 'image');
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`);
    const built = spawnSync('docker', ['build', '--force-rm', '-q', '-t', IMAGE, ctx], { env: { ...dockerEnv, DOCKER_BUILDKIT: '0' }, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const port = await freePort();
    fs.writeFileSync(
      spec,
      stringify({
        name: ENV_NAME,
        cluster: { nodes: [] },
        networks: [{ name: 'local', bridge: 'lo', cidr: '127.0.0.0/8', gateway: '127.0.0.1' }],
        admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G t@example.org'] },
        secrets: { 'app-token': { env: 'UPDOWN_APP_TOKEN', description: 'token for the test app' } },
        guests: [
          {
            name: 'box',
            kind: 'external',
            role: 'app',
            cores: 2,
            memoryGib: 2,
            ipv4: '127.0.0.1',
            stacks: [
              {
                kind: 'worker',
                image: IMAGE,
                command: ['sh', '-c', 'while :; do wget -q -O /dev/null http://web:8080/ || echo "web not reachable"; sleep 1; done'],
              },
              {
                kind: 'compose',
                name: 'app',
                services: [
                  {
                    name: 'web',
                    image: IMAGE,
                    // Writes into the named volume, then serves; the token arrives through the env file.
                    command: ['sh', '-c', 'echo "$APP_TOKEN" > /data/token && exec httpd -f -p 8080 -h /www'],
                    ports: [`127.0.0.1:${port}:8080`],
                    volumes: ['webdata:/data'],
                    secrets: ['app-token'],
                    healthcheck: {
                      test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
                      intervalSeconds: 1,
                      retries: 30,
                      startPeriodSeconds: 1,
                    },
                  },
                  {
                    name: 'client',
                    image: IMAGE,
                    command: ['sh', '-c', 'while :; do wget -q -O /tmp/index http://web:8080/ && touch /tmp/ok; sleep 1; done'],
                    healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ok'], intervalSeconds: 1, retries: 30, startPeriodSeconds: 1 },
                    dependsOn: ['web'],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
  }, 120_000);

  afterAll(() => {
    spawnSync('docker-compose', ['-p', WORKER_PROJECT, '-f', path.join(out, 'local', ENV_NAME, 'box', 'worker', 'compose.yaml'), 'down', '-t', '1'], {
      env: dockerEnv,
    });
    spawnSync('docker-compose', ['-p', PROJECT, '-f', path.join(out, 'local', ENV_NAME, 'box', 'app', 'compose.yaml'), 'down', '-v', '-t', '1'], {
      env: dockerEnv,
    });
    docker('volume', 'rm', '-f', `${PROJECT}_webdata`);
    docker('network', 'rm', `pvestack-${ENV_NAME}`);
    scratch.cleanup();
  });

  it('refuses to start without the secret and names the variable', () => {
    const r = pvestack(['up', spec]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('UPDOWN_APP_TOKEN');
    expect(docker('ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`).stdout.trim()).toBe('');
  });

  it('runs exactly the commands its --dry-run prints: the plan’s steps in the plan’s order', () => {
    const planned = pvestack(['--json', 'up', spec, '--dry-run', '--wait-timeout', '90']);
    expect(planned.status, planned.stderr).toBe(0);
    const dry = JSON.parse(planned.stdout) as { stacks: string[]; commands: string[][] };
    // Spec order is worker, app; the plan starts the app (rank of a compose stack) before the worker.
    expect(dry.stacks).toEqual([PROJECT, WORKER_PROJECT]);
    const r = pvestack(['--json', 'up', spec, '--wait-timeout', '90'], { UPDOWN_APP_TOKEN: CANARY });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const real = JSON.parse(r.stdout) as { ok: boolean; stacks: string[]; commands: string[][]; containers: { container: string }[] };
    expect(real.ok).toBe(true);
    expect(real.stacks).toEqual(dry.stacks);
    expect(real.commands).toEqual(dry.commands);
    expect(real.commands.map((c) => /--project-name (\S+)/.exec(c.join(' '))?.[1] ?? 'network')).toEqual(['network', PROJECT, 'network', WORKER_PROJECT]);
    expect(JSON.stringify(real)).not.toContain('canary');
    // The engine saw that order: the worker's container started after the app's.
    const started = (project: string) =>
      docker('ps', '-q', '--filter', `label=com.docker.compose.project=${project}`)
        .stdout.trim()
        .split('\n')
        .map((id) => Date.parse(docker('inspect', '--format', '{{.State.StartedAt}}', id).stdout.trim()));
    const app = started(PROJECT);
    const [worker] = started(WORKER_PROJECT);
    expect(app).toHaveLength(2);
    expect(worker).toBeGreaterThan(Math.max(...app));
  }, 150_000);

  it('brings the stack to healthy, with the secret only in the 0600 env file', () => {
    const r = pvestack(['up', spec, '--wait-timeout', '90'], { UPDOWN_APP_TOKEN: CANARY });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${ENV_NAME} is up`);
    const ids = docker('ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`).stdout.trim().split('\n');
    expect(ids).toHaveLength(2);
    const health = docker('inspect', '--format', '{{.State.Health.Status}}', ...ids)
      .stdout.trim()
      .split('\n');
    expect(health).toEqual(['healthy', 'healthy']);

    const dir = path.join(out, 'local', ENV_NAME, 'box', 'app');
    const envFile = path.join(dir, 'secrets', 'web.env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).not.toContain('canary');
    // The value reached the container intact ($, space and # included).
    const web = docker('ps', '-q', '--filter', `label=com.docker.compose.service=web`, '--filter', `label=com.docker.compose.project=${PROJECT}`).stdout.trim();
    expect(docker('exec', web, 'cat', '/data/token').stdout).toBe(`${CANARY}\n`);
  }, 150_000);

  it('stops it with down, in reverse plan order as its --dry-run says, and keeps the named volume', () => {
    const planned = pvestack(['--json', 'down', spec, '--dry-run']);
    expect(planned.status, planned.stderr).toBe(0);
    const r = pvestack(['--json', 'down', spec]);
    expect(r.status, r.stderr).toBe(0);
    const real = JSON.parse(r.stdout) as { stopped: string[]; commands: string[][]; volumesDeleted: boolean };
    expect(real.commands).toEqual((JSON.parse(planned.stdout) as { commands: string[][] }).commands);
    expect(real.stopped).toEqual([WORKER_PROJECT, PROJECT]);
    expect(real.volumesDeleted).toBe(false);
    expect(docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`).stdout.trim()).toBe('');
    expect(docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${WORKER_PROJECT}`).stdout.trim()).toBe('');
    expect(docker('volume', 'inspect', `${PROJECT}_webdata`).status).toBe(0);
  });
});
