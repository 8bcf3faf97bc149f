import { spawnSync } from 'node:child_process';
import { expect, inject, it } from 'vitest';
import { BUSYBOX_IMAGE } from './dockerd';
import { describeWithTools } from './tools';

const dockerHost = inject('dockerHost');

describeWithTools('test harness: Docker engine', dockerHost ? ['docker'] : ['dockerd-started-by-global-setup'], () => {
  it('runs a container from the locally built busybox image', () => {
    const r = spawnSync('docker', ['run', '--rm', BUSYBOX_IMAGE, 'echo', 'hello'], { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('hello');
  });
});
