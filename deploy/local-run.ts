/**
 * The executors of `pvestack up` / `down`: write a stack's files, run the plan's commands
 * (`local-compose.ts` builds them) through a runner, and read the containers' states for the
 * report. Failures become one sentence with a hint, never a tool's traceback.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationError } from '../model';
import { renderSecretEnvFile } from '../templates/compose/env-file';
import { COMPOSE_FILE } from '../templates/render';
import { Argv, HEALTH_FAILED_EXIT, HEALTH_TIMEOUT_EXIT } from './commands';
import {
  ComposeCli,
  composePsIdsArgv,
  downCommands,
  inspectStateArgv,
  localComposeBase,
  LocalPlan,
  LocalStack,
  LocalStackPlan,
  localStepCommand,
  RunResult,
  Runner,
  spawnRunner,
} from './local-compose';

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

/** The state of every container of the stacks, through compose (`ps -q`) and `docker inspect`. */
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
          `Inspect it with: ${[...localComposeBase(plan.flavor, s), 'logs'].join(' ')}`,
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
