/**
 * `pvestack up` / `down`: an environment's application layer on the local Docker engine (the
 * "dev = same stack on a laptop" of architecture A). The compose vocabulary is the deployer's
 * (`commands.ts`: `composeCommand`, `composeUp`, `composeDown`, `DETECT_COMPOSE`, the health wait),
 * run here through a runner instead of SSH, so tests can see every command.
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
  composeCommand,
  ComposeFlavor,
  composeDown as composeDownArgs,
  composeUp as composeUpArgs,
  DETECT_COMPOSE,
  HEALTH_TIMEOUT_EXIT,
  waitProjects,
} from './commands';

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

/** Backing services first, so the app finds its database when it starts; the proxy last. */
const START_RANK: Readonly<Record<string, number>> = { postgres: 0, redis: 0, vllm: 1, compose: 2, nextjs: 3, worker: 3, 'nginx-proxy': 4, monitoring: 5 };

export function localProjectName(env: string, guest: string, stack: string): string {
  return `${env}-${guest}-${stack}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/** The stacks `up`/`down` handle, in start order (`down` reverses it). */
export function planLocal(outdir: string, env: Environment, opts: RenderOptions & { guests?: readonly string[] } = {}): LocalStack[] {
  const out: LocalStack[] = [];
  for (const [guest, stacks] of renderEnvironment(env, opts)) {
    if (opts.guests?.length && !opts.guests.includes(guest)) continue;
    for (const stack of stacks)
      out.push({
        guest,
        stack,
        project: localProjectName(env.name, guest, stack.name),
        dir: path.join(path.resolve(outdir), 'local', env.name, guest, stack.name),
      });
  }
  const rank = (s: LocalStack) => START_RANK[s.stack.kind ?? 'compose'] ?? 2;
  return out
    .map((s, i) => [s, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([s]) => s);
}

// ---- command builders ------------------------------------------------------------------------

export function networkInspectArgv(name: string): string[] {
  return ['docker', 'network', 'inspect', name];
}
export function networkCreateArgv(name: string): string[] {
  return ['docker', 'network', 'create', name];
}
export function networkRemoveArgv(name: string): string[] {
  return ['docker', 'network', 'rm', name];
}
function composeBase(cli: ComposeCli, s: LocalStack): string[] {
  return [...composeCommand(cli, s.project, s.dir, [path.join(s.dir, COMPOSE_FILE)])];
}
export function composeUpArgv(cli: ComposeCli, s: LocalStack): string[] {
  return [...composeUpArgs(composeBase(cli, s))];
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

export function ensureNetwork(name: string, run: Runner = spawnRunner): void {
  if (run(networkInspectArgv(name)).status === 0) return;
  check(run(networkCreateArgv(name)), networkCreateArgv(name), 'Is the Docker engine running and DOCKER_HOST right?');
}

export function composeUp(cli: ComposeCli, s: LocalStack, run: Runner = spawnRunner): void {
  const argv = composeUpArgv(cli, s);
  check(run(argv, { cwd: s.dir }), argv, `Inspect it with: ${[...composeBase(cli, s), 'logs'].join(' ')}`);
}

export function composeDown(cli: ComposeCli, s: LocalStack, opts: { volumes?: boolean }, run: Runner = spawnRunner): void {
  const argv = composeDownArgv(cli, s, opts);
  check(run(argv, { cwd: s.dir }), argv, 'Is the Docker engine running and DOCKER_HOST right?');
}

/** One container's state: `running` + `healthy`, `running` + '' (no healthcheck), `exited`... */
export interface ContainerState {
  readonly project: string;
  readonly container: string;
  readonly status: string;
  readonly health: string;
}

export function containerStates(cli: ComposeCli, stacks: readonly LocalStack[], run: Runner = spawnRunner): ContainerState[] {
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

/**
 * Waits with the deployer's own health wait (`commands.ts`, run by `sh` here instead of over SSH):
 * every container of every project running and healthy; an unhealthy or crashed one fails at once.
 * Returns the containers' final states for the report.
 */
export async function waitHealthy(cli: ComposeCli, stacks: readonly LocalStack[], timeoutMs: number, run: Runner = spawnRunner): Promise<ContainerState[]> {
  const argv = waitProjects(
    stacks.map((s) => s.project),
    Math.max(1, Math.round(timeoutMs / 1000)),
  );
  const r = run(argv);
  if (r.status !== 0) {
    const what =
      r.stderr
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('health ')) ?? r.stderr.trim();
    const [, container = '?', ...detail] = what.split(' ');
    const hint =
      r.status === HEALTH_TIMEOUT_EXIT ? 'Raise --wait-timeout or check the logs with docker logs <container>.' : 'See their logs: docker logs <container>';
    throw new OperationError(`service ${container} ${detail.join(' ')}`.trim(), hint);
  }
  return containerStates(cli, stacks, run);
}
