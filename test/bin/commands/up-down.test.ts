import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toShell } from '../../../deploy/commands';
import { detectComposeCli, downCommands, planLocal, upCommands } from '../../../deploy/local-compose';
import { loadEnvironment } from '../../../stacks/registry';
import { scratchDir } from '../../support/tools';

const CLI = path.join(__dirname, '..', '..', '..', 'bin', 'pvestack.js');
const pvestack = (...args: string[]) =>
  spawnSync('node', [CLI, '-o', 'out', ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });

describe('pvestack up/down --dry-run', () => {
  it('prints the commands of the plan, in its order: per stack the network, then up and its health waits', () => {
    const r = pvestack('up', 'dev', '--dry-run', '--wait-timeout', '60');
    expect(r.status, r.stderr).toBe(0);
    const plan = planLocal('out', loadEnvironment('dev'), { flavor: detectComposeCli() });
    expect(r.stdout).toBe(`${upCommands(plan, { healthTimeoutSeconds: 60 }).map(toShell).join('\n')}\n`);
    const projects = [...r.stdout.matchAll(/--project-name (\S+) /g)].map((m) => m[1]);
    expect(projects).toEqual(['dev-laptop-postgres', 'dev-laptop-redis', 'dev-laptop-vllm', 'dev-laptop-nextjs']);
    expect(r.stdout.split('\n')[0]).toBe("sh -c 'docker network inspect pvestack-dev >/dev/null 2>&1 || docker network create pvestack-dev >/dev/null'");
  });

  it('--json gives the same commands as argv arrays', () => {
    const r = pvestack('--json', 'up', 'dev', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { commands: string[][]; stacks: string[] };
    const plan = planLocal('out', loadEnvironment('dev'), { flavor: detectComposeCli() });
    expect(result.commands).toEqual(upCommands(plan, { healthTimeoutSeconds: 300 }));
    expect(result.stacks).toEqual(plan.stacks.map((s) => s.project));
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

  it('down stops the plan in reverse and keeps volumes unless --volumes', () => {
    const plain = pvestack('down', 'dev', '--dry-run').stdout;
    const plan = planLocal('out', loadEnvironment('dev'), { flavor: detectComposeCli() });
    expect(plain).toBe(`${downCommands(plan, { networks: true }).map(toShell).join('\n')}\n`);
    expect(plain).not.toContain('--volumes');
    expect(plain.trim().split('\n')[0]).toContain('dev-laptop-nextjs');
    expect(pvestack('down', 'dev', '--volumes', '--dry-run').stdout).toContain('--volumes');
  });
});

describe('pvestack up/down without a Docker engine', () => {
  const NO_ENGINE =
    'error: no Docker engine answers at DOCKER_HOST=unix:///nonexistent.sock. Start the Docker engine, or point DOCKER_HOST at one that runs (`docker version` shows the same problem); nothing was started or stopped\n';
  const secrets = { PVESTACK_POSTGRES_PASSWORD: 'a', PVESTACK_REDIS_PASSWORD: 'b', PVESTACK_VLLM_API_KEY: 'c', PVESTACK_SESSION_SECRET: 'd' };
  const scratch = scratchDir('pvestack-up-');
  afterAll(scratch.cleanup);
  const run = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync('node', [CLI, '-o', fs.mkdtempSync(path.join(scratch.dir, 'out-')), ...args], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock', ...extra },
    });

  it('down says so in one sentence, with no traceback', () => {
    const r = run(['down', 'dev']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(NO_ENGINE);
  });

  it('up says so once, after the secrets are known and before anything is written', () => {
    const r = run(['up', 'dev', '--no-gpu'], secrets);
    expect(r.status).toBe(1);
    expect(r.stderr.endsWith(NO_ENGINE)).toBe(true);
    expect(r.stderr).not.toMatch(/\?\.|Traceback/);
  });

  it('up --dry-run warns about the secret values a real run would miss', () => {
    const r = run(['up', 'dev', '--no-gpu', '--dry-run'], { PVESTACK_POSTGRES_PASSWORD: 'a' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      'warning: missing secret values: PVESTACK_REDIS_PASSWORD (secret "redis-password"), PVESTACK_VLLM_API_KEY (secret "vllm-api-key"), PVESTACK_SESSION_SECRET (secret "session-secret"). Export them in the environment that runs pvestack (never in the spec). (without --dry-run, up stops here)',
    );
    expect(run(['up', 'dev', '--no-gpu', '--dry-run'], secrets).stderr).not.toContain('missing secret');
  });
});
