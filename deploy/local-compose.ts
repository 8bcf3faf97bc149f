/**
 * `pvestack up` / `down`: an environment's application layer on the local Docker engine (the
 * "dev = same stack on a laptop" of architecture A). It reads the deploy's own plan: the releases
 * of every stack, planned by `planHost` (deploy/plan.ts) against an engine that runs none of them,
 * so stacks start in the deploy's start order with the deploy's steps (network and files, then
 * `up` and the health wait of each service in start order). Each step becomes a command of the
 * deployer's compose vocabulary (`commands.ts`), addressed at the local directory instead of a
 * host's `current`, and run through a runner instead of SSH, so tests can see every command.
 * Compose: `docker compose` (v2 plugin) when present, else Debian's `docker-compose` (v1).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../model';
import { OperationError } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import { renderSecretEnvFile } from '../templates/compose/env-file';
import { COMPOSE_FILE, renderEnvironment, RenderOptions } from '../templates/render';
import {
  Argv,
  composeCommand,
  ComposeFlavor,
  composeDown as composeDownArgs,
  DETECT_COMPOSE,
  ensureNetworks,
  HEALTH_FAILED_EXIT,
  HEALTH_TIMEOUT_EXIT,
  upAndWait,
} from './commands';
import type { HostState } from './host-state';
import { planHost, StackPlan, Step, waitFor } from './plan';
import { stackRelease } from './release';

/** Which compose CLI runs the stacks (the deployer's {@link ComposeFlavor}). */
export type ComposeCli = ComposeFlavor;

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}
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

export function networkRemoveArgv(name: string): string[] {
  return ['docker', 'network', 'rm', name];
}
function composeBase(cli: ComposeCli, s: LocalStack): Argv {
  return composeCommand(cli, s.project, s.dir, [path.join(s.dir, COMPOSE_FILE)]);
}
/** Never removes volumes unless asked: they hold databases and model caches. */
export function composeDownArgv(cli: ComposeCli, s: LocalStack, opts: { volumes?: boolean } = {}): string[] {
  return [...composeDownArgs(composeBase(cli, s), opts)];
}
export function composePsIdsArgv(cli: ComposeCli, s: LocalStack): string[] {
  return [...composeBase(cli, s), 'ps', '-q'];
}
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
      return upAndWait(composeBase(cli, s), s.project, [wait(step.service)], { services: [step.service.name] });
    case 'health':
      return upAndWait(composeBase(cli, s), s.project, r.services.map(wait));
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

// ---- executors ---------------------------------------------------------------------------------

/** The useful end of a tool's stderr: the exception line of a Python traceback (docker-compose 1.x), else the last lines. */
export function stderrTail(stderr: string): string {
  const lines = stderr.trim().split('\n');
  if (/^Traceback \(most recent call last\)/m.test(stderr)) return lines[lines.length - 1]!.trim();
  return lines.slice(-5).join(' | ');
}

function check(r: RunResult, argv: readonly string[], hint: string): RunResult {
  if (r.status !== 0) throw new OperationError(`\`${argv.join(' ')}\` failed (exit ${r.status}): ${stderrTail(r.stderr)}`, hint);
  return r;
}

/**
 * Writes a stack's files and its secret env files (mode 0600, values already resolved).
 * With `values` absent, missing env files are created empty so compose can still parse the
 * file (for `down`); existing ones are left alone.
 */
export function writeLocalStack(s: LocalStack, values?: ReadonlyMap<string, string>): void {
  for (const f of s.stack.files) {
    const file = path.join(s.dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { mode: f.mode ?? 0o644 });
  }
  for (const f of s.stack.secretFiles) {
    const file = path.join(s.dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (values) {
      fs.writeFileSync(file, renderSecretEnvFile(f, values), { mode: 0o600 });
      fs.chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
    } else if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600 });
  }
}

/** One local container's state for `up`'s report: `running` + `healthy`, `running` + '' (no healthcheck), `exited`... */
export interface LocalContainer {
  readonly project: string;
  readonly container: string;
  readonly status: string;
  readonly health: string;
}

export function containerStates(cli: ComposeCli, stacks: readonly LocalStack[], run: Runner = spawnRunner): LocalContainer[] {
  return stacks.flatMap((s) => {
    const ids = run(composePsIdsArgv(cli, s), { cwd: s.dir })
      .stdout.split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (!ids.length) return [];
    return run(inspectStateArgv(ids))
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, status, health] = line.split('|');
        return { project: s.project, container: name!.replace(/^\//, ''), status: status ?? '', health: health ?? '' };
      });
  });
}

/** What `up` did: the commands it ran, in order, and the containers' final states. */
export interface UpResult {
  readonly commands: readonly Argv[];
  readonly containers: readonly LocalContainer[];
}

/**
 * Runs the plan: for each stack in start order, each of its steps (the upload writes the stack's
 * files, secret env files from `values` with mode 0600, before its command). A service that
 * crashes, reports unhealthy or outlives its wait stops the run with the deployer's own message.
 */
export function runUp(
  plan: LocalPlan,
  opts: { values: ReadonlyMap<string, string>; healthTimeoutSeconds: number; run?: Runner; onStack?: (s: LocalStackPlan) => void },
): UpResult {
  const run = opts.run ?? spawnRunner;
  const commands: Argv[] = [];
  for (const s of plan.stacks) {
    opts.onStack?.(s);
    for (const step of s.plan.steps) {
      if (step.kind === 'upload') writeLocalStack(s, opts.values);
      const argv = localStepCommand(step, s, plan.flavor, opts);
      commands.push(argv);
      const r = run(argv, { cwd: s.dir });
      if (r.status === HEALTH_FAILED_EXIT || r.status === HEALTH_TIMEOUT_EXIT) throw healthError(r);
      if (r.status !== 0)
        throw new OperationError(
          `${step.kind === 'upload' ? 'creating the network of' : 'starting'} ${s.project} failed (exit ${r.status}): ${stderrTail(r.stderr)}`,
          `Inspect it with: ${[...composeBase(plan.flavor, s), 'logs'].join(' ')}`,
        );
    }
  }
  return { commands, containers: containerStates(plan.flavor, plan.stacks, run) };
}

/**
 * Stops the plan's stacks in reverse start order (the commands of {@link downCommands}); compose
 * needs each stack's file (and its env files, possibly empty) to know the project's services, so
 * missing ones are written first. Removing a shared network that something still uses fails
 * harmlessly. Returns the commands it ran.
 */
export function runDown(plan: LocalPlan, opts: { volumes?: boolean; networks: boolean; run?: Runner; onStack?: (s: LocalStackPlan) => void }): Argv[] {
  const run = opts.run ?? spawnRunner;
  const commands = downCommands(plan, opts);
  [...plan.stacks].reverse().forEach((s, i) => {
    opts.onStack?.(s);
    if (!fs.existsSync(path.join(s.dir, COMPOSE_FILE))) writeLocalStack(s);
    else writeLocalStack({ ...s, stack: { ...s.stack, files: [] } });
    check(run(commands[i]!, { cwd: s.dir }), commands[i]!, 'Is the Docker engine running and DOCKER_HOST right?');
  });
  for (const argv of commands.slice(plan.stacks.length)) run(argv);
  return commands;
}

/** The health wait's last `health <service> <what happened>` line as one sentence. */
function healthError(r: RunResult): OperationError {
  const what =
    r.stderr
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('health ')) ?? r.stderr.trim();
  const [, container = '?', ...detail] = what.split(' ');
  const hint =
    r.status === HEALTH_TIMEOUT_EXIT ? 'Raise --wait-timeout or check the logs with docker logs <container>.' : 'See their logs: docker logs <container>';
  return new OperationError(`service ${container} ${detail.join(' ')}`.trim(), hint);
}
