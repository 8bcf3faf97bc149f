/**
 * `pvestack up` / `down`: an environment's application layer on the local Docker engine (the
 * "dev = same stack on a laptop" of architecture A). It reads the deploy's own plan: the releases
 * of every stack, planned by `planHost` (deploy/plan.ts) against an engine that runs none of them,
 * so stacks start in the deploy's start order with the deploy's steps (network and files, then
 * `up` and the health wait of each service in start order). Each step becomes a command of the
 * deployer's compose vocabulary (`commands.ts`), addressed at the local directory instead of a
 * host's `current`, and run through a runner instead of SSH, so tests can see every command.
 * Compose: `docker compose` (v2 plugin) when present, else Debian's `docker-compose` (v1).
 * This module plans and builds commands; `local-run.ts` runs them.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Environment } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import { COMPOSE_FILE, renderEnvironment, RenderOptions } from '../templates/render';
import { Argv, composeCommand, ComposeFlavor, composeDown as composeDownArgs, DETECT_COMPOSE, ensureNetworks, upAndWait, waitOnly } from './commands';
import type { HostState } from './host-state';
import { planHost, StackPlan, Step, waitFor } from './plan';
import { stackRelease } from './release';

/** Which compose CLI runs the stacks (the deployer's {@link ComposeFlavor}). */
export type ComposeCli = ComposeFlavor;

/** What a local command returned. */
export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}
/** Runs one argv locally (tests pass their own to see every command). */
export type Runner = (argv: readonly string[], opts?: { cwd?: string }) => RunResult;

/** Runs argv without a shell, inheriting the environment (DOCKER_HOST included). */
export const spawnRunner: Runner = (argv, opts = {}) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.error ? String(r.error.message) : (r.stderr ?? '') };
};

/** The same detection a deploy runs on its hosts (`v2` when the plugin exists, else `v1`). */
export function detectComposeCli(run: Runner = spawnRunner): ComposeCli {
  return run(['sh', '-c', DETECT_COMPOSE]).stdout.trim() === 'compose v2' ? 'v2' : 'v1';
}

/** One stack as it runs locally: its compose project and directory. */
export interface LocalStack {
  readonly guest: string;
  readonly stack: RenderedStack;
  /** Compose project name: `<env>-<guest>-<stack>`, so environments and guests never collide. */
  readonly project: string;
  /** `<out>/local/<env>/<guest>/<stack>`. */
  readonly dir: string;
}

/** A local stack with the deploy plan's steps for it. */
export interface LocalStackPlan extends LocalStack {
  readonly plan: StackPlan;
}

/** What `up` runs and `down` stops: the stacks in the plan's start order. */
export interface LocalPlan {
  readonly flavor: ComposeCli;
  readonly stacks: readonly LocalStackPlan[];
}

/** The compose project of a local stack (see {@link LocalStack.project}). */
export function localProjectName(env: string, guest: string, stack: string): string {
  return `${env}-${guest}-${stack}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/**
 * Nothing is released on a laptop: no `current`, no journal, no fingerprint labels. Planned
 * against this engine, every stack gets a first deploy's steps (its files, then one `up` of the
 * whole stack and the wait for each service), and compose itself recreates only what changed.
 */
export function localEngine(flavor: ComposeCli): HostState {
  return { key: '', now: 0, compose: flavor, journal: [], stacks: [] };
}

/** Release ids and fingerprints are a host's business; locally they are computed with a fixed key and never shown or compared. */
const LOCAL_KEY = 'pvestack-local';

/**
 * The stacks `up`/`down` handle and the steps of each, planned by the deployer's planner
 * (`down` stops them in reverse). The planner reads the releases' services and the engine's
 * state; secret values are not needed for that (env files count as empty here), so `--dry-run`
 * and `down` plan exactly as a real `up` does. `up` writes the real env files itself.
 */
export function planLocal(outdir: string, env: Environment, opts: RenderOptions & { guests?: readonly string[]; flavor?: ComposeCli } = {}): LocalPlan {
  const locals: LocalStack[] = [];
  for (const [guest, stacks] of renderEnvironment(env, opts)) {
    if (opts.guests?.length && !opts.guests.includes(guest)) continue;
    for (const stack of stacks)
      locals.push({
        guest,
        stack,
        project: localProjectName(env.name, guest, stack.name),
        dir: path.join(path.resolve(outdir), 'local', env.name, guest, stack.name),
      });
  }
  const releases = locals.map((s) => ({ ...stackRelease(s.stack, emptyValues(s.stack), LOCAL_KEY), project: s.project }));
  const flavor = opts.flavor ?? 'v2';
  const plan = planHost(releases, localEngine(flavor));
  return { flavor, stacks: plan.stacks.map((sp) => ({ ...locals[releases.indexOf(sp.release as (typeof releases)[number])]!, plan: sp })) };
}

function emptyValues(stack: RenderedStack): Map<string, string> {
  return new Map(stack.secretFiles.flatMap((f) => f.entries.map((e) => [e.secret, ''] as const)));
}

// ---- command builders ------------------------------------------------------------------------

/** `docker network rm`: `down` removes the shared network once every stack is stopped. */
export function networkRemoveArgv(name: string): string[] {
  return ['docker', 'network', 'rm', name];
}
/** The compose CLI for a local stack: its project, its directory, its compose file. */
export function localComposeBase(cli: ComposeCli, s: LocalStack): Argv {
  return composeCommand(cli, s.project, s.dir, [path.join(s.dir, COMPOSE_FILE)]);
}
/** Never removes volumes unless asked: they hold databases and model caches. */
export function composeDownArgv(cli: ComposeCli, s: LocalStack, opts: { volumes?: boolean } = {}): string[] {
  return [...composeDownArgs(localComposeBase(cli, s), opts)];
}
/** The ids of a local stack's containers, for `up`'s report. */
export function composePsIdsArgv(cli: ComposeCli, s: LocalStack): string[] {
  return [...localComposeBase(cli, s), 'ps', '-q'];
}
/** Name, status and health of containers, one `name|status|health` line each. */
export function inspectStateArgv(ids: readonly string[]): string[] {
  return ['docker', 'inspect', '--format', '{{.Name}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}', ...ids];
}

/**
 * The local command of one plan step, the counterpart of `stepCommand` (deploy/plan.ts): the
 * upload creates the stack's external networks (its files are written just before, see
 * {@link writeLocalStack}); a recreate and the health step run `up` and wait for the services in
 * the release's start order. Locally no fingerprint label exists, so the waits check health only.
 */
export function localStepCommand(step: Step, s: LocalStackPlan, cli: ComposeCli, o: { healthTimeoutSeconds: number }): Argv {
  const r = s.plan.release;
  const wait = (svc: (typeof r.services)[number]) => ({ ...waitFor(svc, o), fingerprint: '-' });
  switch (step.kind) {
    case 'upload':
      return ensureNetworks(r.externalNetworks);
    case 'recreate':
      return upAndWait(localComposeBase(cli, s), s.project, [wait(step.service)], { services: [step.service.name] });
    case 'health':
      return step.start ? upAndWait(localComposeBase(cli, s), s.project, r.services.map(wait)) : waitOnly(s.project, r.services.map(wait));
  }
}

/** Every command `up` runs, in order: the plan's steps of each stack in the plan's start order. */
export function upCommands(plan: LocalPlan, o: { healthTimeoutSeconds: number }): Argv[] {
  return plan.stacks.flatMap((s) => s.plan.steps.map((step) => localStepCommand(step, s, plan.flavor, o)));
}

/** Every command `down` runs: the stacks in reverse start order, then (for the whole environment) the shared networks. */
export function downCommands(plan: LocalPlan, opts: { volumes?: boolean; networks: boolean }): Argv[] {
  const networks = [...new Set(plan.stacks.flatMap((s) => s.plan.release.externalNetworks))];
  return [...[...plan.stacks].reverse().map((s) => composeDownArgv(plan.flavor, s, opts)), ...(opts.networks ? networks.map(networkRemoveArgv) : [])];
}
