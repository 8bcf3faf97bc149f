import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureNetworks, toShell, upAndWait, WAIT_FUNCTION } from '../../deploy/commands';
import { dryRunHost } from '../../deploy/dry-run';
import { composeDownArgv, downCommands, localProjectName, localStepCommand, planLocal, upCommands } from '../../deploy/local-compose';
import { Masker } from '../../deploy/secrets';
import { targetsFor } from '../../deploy/targets';
import type { Environment } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { renderGuest } from '../../templates/render';

const out = path.join(os.tmpdir(), 'pvestack-plan');
const o = { healthTimeoutSeconds: 30 };

/** dev with the laptop's stacks listed in reverse, so the start order is visibly the planner's and not the spec's. */
function reversedDev(): Environment {
  const env = loadEnvironment('dev');
  return { ...env, guests: env.guests.map((g) => (g.name === 'laptop' ? { ...g, stacks: [...g.stacks].reverse() } : g)) };
}

/** What a remote `--dry-run` of the same environment plans, host unreachable (planned as empty, as a first deploy). */
async function remotePlan(env: Environment) {
  const secrets = new Map(Object.keys(env.secrets).map((s) => [s, 'x'] as const));
  const [target] = targetsFor(env, (e, g) => renderGuest(e, g));
  return dryRunHost(target!, {
    secrets,
    masker: new Masker([]),
    connect: () => Promise.reject(new Error('not reachable in this test')),
    healthTimeoutMs: o.healthTimeoutSeconds * 1000,
  });
}

describe('pvestack up plans with the deployer: one start order, one set of steps', () => {
  const env = reversedDev();
  const plan = planLocal(out, env, { flavor: 'v2' });

  it('starts backing services first, whatever the spec order', () => {
    expect(env.guests[0]!.stacks.map((s) => s.kind)).toEqual(['vllm', 'nextjs', 'redis', 'postgres']);
    expect(plan.stacks.map((s) => s.stack.name)).toEqual(['redis', 'postgres', 'vllm', 'nextjs']);
    expect(plan.stacks[0]!.dir).toBe(path.join(out, 'local', 'dev', 'laptop', 'redis'));
  });

  it('has the order and the steps a deploy of the same stacks has', async () => {
    const remote = await remotePlan(env);
    expect(remote.stacks.map((s) => s.stack)).toEqual(plan.stacks.map((s) => s.stack.name));
    // Services within each stack: the release's start order, the same object the deployer waits on.
    for (const s of plan.stacks) expect(s.plan.action).toBe('deploy');
    expect(plan.stacks.map((s) => s.plan.steps.map((step) => step.kind))).toEqual(plan.stacks.map(() => ['upload', 'health']));
    expect(remote.stacks.map((s) => s.commands.length)).toEqual(plan.stacks.map((s) => s.plan.steps.length));
    const nextjs = plan.stacks.find((s) => s.stack.name === 'nextjs')!;
    expect(nextjs.plan.release.services.map((s) => s.name)).toEqual(
      remote.stacks
        .find((s) => s.stack === 'nextjs')!
        .commands[1]!.match(/^w \S+ (\S+) /gm)!
        .map((l) => l.split(' ')[2]),
    );
  });

  it('turns each step into the deployer vocabulary, addressed at the local directory', () => {
    const pg = plan.stacks.find((s) => s.stack.name === 'postgres')!;
    const [upload, health] = pg.plan.steps;
    expect(localStepCommand(upload!, pg, 'v2', o)).toEqual(ensureNetworks(['pvestack-dev']));
    expect(toShell(localStepCommand(upload!, pg, 'v2', o))).toBe(
      "sh -c 'docker network inspect pvestack-dev >/dev/null 2>&1 || docker network create pvestack-dev >/dev/null'",
    );
    const base = ['docker', 'compose', '--project-name', 'dev-laptop-postgres', '--project-directory', pg.dir, '--file', path.join(pg.dir, 'compose.yaml')];
    const waits = pg.plan.release.services.map((s) => ({ service: s.name, fingerprint: '-', seconds: Math.max(30, s.healthBudgetSeconds) }));
    expect(localStepCommand(health!, pg, 'v2', o)).toEqual(upAndWait(base, 'dev-laptop-postgres', waits));
    const script = localStepCommand(health!, pg, 'v2', o)[2]!;
    expect(script.startsWith(WAIT_FUNCTION)).toBe(true);
    expect(script.split('\n').slice(-3)).toEqual([
      `${toShell(base)} up -d --remove-orphans >&2`,
      `w dev-laptop-postgres postgres - ${waits[0]!.seconds}`,
      `w dev-laptop-postgres postgres-exporter - ${waits[1]!.seconds}`,
    ]);
  });

  it('up runs every stack’s steps in the plan’s order; down stops them in reverse', () => {
    expect(upCommands(plan, o)).toEqual(plan.stacks.flatMap((s) => s.plan.steps.map((step) => localStepCommand(step, s, 'v2', o))));
    const down = downCommands(plan, { networks: true });
    expect(down.map((c) => c[3])).toEqual(['dev-laptop-nextjs', 'dev-laptop-vllm', 'dev-laptop-postgres', 'dev-laptop-redis', 'pvestack-dev']);
    expect(down.at(-1)).toEqual(['docker', 'network', 'rm', 'pvestack-dev']);
    expect(downCommands(plan, { networks: false })).toHaveLength(4);
  });

  it('--no-gpu plans without the GPU stack', () => {
    expect(planLocal(out, env, { gpu: false }).stacks.map((s) => s.stack.name)).toEqual(['redis', 'postgres', 'nextjs']);
  });
});

describe('local compose command builders', () => {
  const [pg] = planLocal(out, loadEnvironment('dev')).stacks;

  it('builds exact down argv, never deleting volumes unless asked', () => {
    expect(composeDownArgv('v2', pg!)).toEqual([
      'docker',
      'compose',
      '--project-name',
      'dev-laptop-postgres',
      '--project-directory',
      pg!.dir,
      '--file',
      path.join(pg!.dir, 'compose.yaml'),
      'down',
      '--remove-orphans',
      '-t',
      '10',
    ]);
    expect(composeDownArgv('v1', pg!, { volumes: true })).toContain('--volumes');
    expect(composeDownArgv('v1', pg!)[0]).toBe('docker-compose');
  });

  it('names projects after environment, guest and stack', () => {
    expect(localProjectName('Dev', 'lap.top', 'app')).toBe('dev-lap-top-app');
  });
});
