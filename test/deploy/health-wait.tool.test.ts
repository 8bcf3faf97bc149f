/**
 * The health wait every deploy, rollback and `pvestack up` ends with (`w` in deploy/commands.ts),
 * run by `sh` against containers of the test Docker engine in each state it must tell apart. It
 * reads `docker ps`'s status text, so this is where a change in that text would show.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, expect, inject, it } from 'vitest';
import { CONFIG_LABEL, HEALTH_FAILED_EXIT, HEALTH_TIMEOUT_EXIT, WAIT_FUNCTION } from '../../deploy/commands';
import { BUSYBOX_IMAGE } from '../support/dockerd';
import { describeWithTools } from '../support/tools';
import { docker } from './fixtures';

const dockerHost = inject('dockerHost');
const PROJECT = 'pvestack-wait-test';

if (!dockerHost) console.warn('\n*** SKIPPING health wait suite: no test Docker engine (needs root + dockerd) ***\n');

describeWithTools('the health wait against real containers', dockerHost ? ['docker', 'sh'] : ['(docker engine)'], () => {
  /** Starts a container of service `service` in the test project; `fingerprint` undefined: no label at all. */
  function start(service: string, opts: { fingerprint?: string; health?: string; startPeriod?: string; command: string }): void {
    docker(dockerHost, [
      'run',
      '-d',
      '--label',
      `com.docker.compose.project=${PROJECT}`,
      '--label',
      `com.docker.compose.service=${service}`,
      ...(opts.fingerprint !== undefined ? ['--label', `${CONFIG_LABEL}=${opts.fingerprint}`] : []),
      ...(opts.health ? ['--health-cmd', opts.health, '--health-interval', '1s', '--health-retries', '1', '--health-timeout', '2s'] : []),
      ...(opts.startPeriod ? ['--health-start-period', opts.startPeriod] : []),
      BUSYBOX_IMAGE,
      'sh',
      '-c',
      opts.command,
    ]);
  }

  const wait = (service: string, fingerprint: string, seconds: number) => {
    const r = spawnSync('sh', ['-c', `${WAIT_FUNCTION}\nw ${PROJECT} ${service} ${fingerprint} ${seconds}`], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: 120_000,
    });
    return { code: r.status, last: r.stderr.trim().split('\n').pop() ?? '' };
  };

  afterAll(() => {
    const ids = docker(dockerHost, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])
      .split('\n')
      .filter(Boolean);
    if (ids.length) docker(dockerHost, ['rm', '-f', ...ids]);
  });

  it('passes a healthy container with the expected fingerprint, and times out on another fingerprint', () => {
    start('healthy', { fingerprint: 'f1', health: 'true', command: 'sleep 600' });
    expect(wait('healthy', 'f1', 60)).toEqual({ code: 0, last: '' });
    const other = wait('healthy', 'f2', 2);
    expect(other.code).toBe(HEALTH_TIMEOUT_EXIT);
    expect(other.last).toMatch(/^health healthy did not become healthy within 2 s \(last state: healthy running f1 Up .*\(healthy\);\)$/);
  });

  it('fails at once on an unhealthy container, before its budget', () => {
    start('sick', { fingerprint: 'f1', health: 'false', command: 'sleep 600' });
    const t = Date.now();
    expect(wait('sick', 'f1', 100)).toEqual({ code: HEALTH_FAILED_EXIT, last: 'health sick is unhealthy' });
    expect(Date.now() - t).toBeLessThan(60_000);
  });

  it('fails on a crash with its exit code; a one-shot job that exited 0 passes', () => {
    // Still starting (its check fails, but inside a long start period) when it crashes.
    start('crash', { fingerprint: 'f1', health: 'false', startPeriod: '120s', command: 'sleep 1; exit 3' });
    expect(wait('crash', 'f1', 100)).toEqual({ code: HEALTH_FAILED_EXIT, last: 'health crash exited with exit code 3' });
    start('job', { fingerprint: 'f1', command: 'exit 0' });
    const job = () => wait('job', 'f1', 30);
    expect(job()).toEqual({ code: 0, last: '' });
  });

  it('passes a running container without a healthcheck; a container without the label passes only when no fingerprint is asked', () => {
    start('plain', { command: 'sleep 600' });
    expect(wait('plain', '-', 60)).toEqual({ code: 0, last: '' });
    const asked = wait('plain', 'f1', 2);
    expect(asked.code).toBe(HEALTH_TIMEOUT_EXIT);
    expect(asked.last).toMatch(/last state: plain running {2}Up /);
  });

  it('waits for every service of the project with `-`, and times out when the project has no container', () => {
    expect(wait('-', '-', 60).code).toBe(HEALTH_FAILED_EXIT); // the crashed and the sick containers are in it
    const empty = spawnSync('sh', ['-c', `${WAIT_FUNCTION}\nw no-such-project - - 1`], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: dockerHost } });
    expect(empty.status).toBe(HEALTH_TIMEOUT_EXIT);
  });
});
