import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeDownArgv, composeUpArgv, localProjectName, planLocal } from '../../deploy/local-compose';
import { loadEnvironment } from '../../stacks/registry';

const CLI = path.join(__dirname, '..', '..', 'bin', 'pvestack.js');
const pvestack = (...args: string[]) => spawnSync('node', [CLI, '-o', 'out', ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });

describe('local compose command builders', () => {
  const env = loadEnvironment('dev');
  const out = path.join(os.tmpdir(), 'pvestack-plan');
  const stacks = planLocal(out, env);

  it('starts backing services before the app', () => {
    expect(stacks.map((s) => s.stack.name)).toEqual(['postgres', 'redis', 'vllm', 'nextjs']);
    expect(stacks[0]!.dir).toBe(path.join(out, 'local', 'dev', 'laptop', 'postgres'));
  });

  it('builds exact up/down argv, never deleting volumes unless asked', () => {
    const s = stacks[0]!;
    const file = path.join(s.dir, 'compose.yaml');
    expect(composeUpArgv(['docker-compose'], s)).toEqual(['docker-compose', '-p', 'dev-laptop-postgres', '-f', file, 'up', '-d', '--remove-orphans']);
    expect(composeDownArgv(['docker', 'compose'], s)).toEqual(['docker', 'compose', '-p', 'dev-laptop-postgres', '-f', file, 'down', '--remove-orphans', '-t', '10']);
    expect(composeDownArgv(['docker-compose'], s, { volumes: true })).toContain('--volumes');
  });

  it('names projects after environment, guest and stack', () => {
    expect(localProjectName('Dev', 'lap.top', 'app')).toBe('dev-lap-top-app');
  });
});

describe('pvestack up/down --dry-run', () => {
  it('prints the network and one up per stack', () => {
    const r = pvestack('up', 'dev', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('docker network create pvestack-dev');
    expect(lines.slice(1).map((l) => l.split(' -p ')[1]!.split(' ')[0])).toEqual(['dev-laptop-postgres', 'dev-laptop-redis', 'dev-laptop-vllm', 'dev-laptop-nextjs']);
  });

  it('--no-gpu leaves vLLM out, or runs the CPU stub in its place', () => {
    expect(pvestack('up', 'dev', '--no-gpu', '--dry-run').stdout).not.toContain('dev-laptop-vllm');
    expect(pvestack('up', 'dev', '--no-gpu', '--cpu-stub-image', 'local/stub:1', '--dry-run').stdout).toContain('dev-laptop-vllm');
  });

  it('rejects a stub image without --no-gpu', () => {
    const r = pvestack('up', 'dev', '--cpu-stub-image', 'local/stub:1', '--dry-run');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--no-gpu');
  });

  it('down keeps volumes unless --volumes', () => {
    const plain = pvestack('down', 'dev', '--dry-run').stdout;
    expect(plain).not.toContain('--volumes');
    expect(plain.trim().split('\n')[0]).toContain('dev-laptop-nextjs');
    expect(pvestack('down', 'dev', '--volumes', '--dry-run').stdout).toContain('--volumes');
  });
});
