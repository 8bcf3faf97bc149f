/**
 * The per-host executor: connect, lock and read the host (one round trip), plan with
 * `plan.ts` from the typed releases and what runs, then run the plan's steps, each one remote
 * script; on a failure after the switch, or when the run is stopped (SIGINT/SIGTERM), roll the
 * stacks it touched back; always release the lock. See deploy/README.md for the whole story.
 */
import { ConfirmationRequiredError, HealthCheckFailedError, LockHeldError, OperationError, PvestackError, RemoteCommandError } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import {
  Argv,
  breakStaleLock,
  finish,
  HEALTH_FAILED_EXIT,
  HEALTH_TIMEOUT_EXIT,
  heartbeat,
  LABELS_FILE,
  CONFIG_LABEL,
  LOCK_HELD_EXIT,
  LOCK_WRITE_EXIT,
  lockDir,
  MANIFEST_FILE,
  probe,
  StackRef,
} from './commands';
import { HostState, parseHostState, parseLock, UNKNOWN_HOST } from './host-state';
import { describeLock, HEARTBEAT_SECONDS, judgeLock, LockInfo } from './lock';
import {
  CommandOptions,
  finishCommand,
  HostPlan,
  Interrupted,
  lockCommand,
  logsCommand,
  planHost,
  rollbackCommand,
  StackPlan,
  stepCommand,
  Step,
} from './plan';
import { ReleaseManifest, stackRelease, StackRelease } from './release';
import { Masker } from './secrets';
import { connect as sshConnect, RemoteHost, SshEndpoint } from './ssh';
import { tarArchive } from './tar';

/** One host to deploy: where it is and what it runs. */
export interface HostTarget {
  /** Guest name from the spec. */
  readonly guest: string;
  readonly endpoint: SshEndpoint;
  /** Deploy root on the host. @default /opt/pvestack */
  readonly root: string;
  readonly stacks: readonly RenderedStack[];
}

export type Stage = 'connect' | 'lock' | 'plan' | 'upload' | 'switch' | 'start' | 'health' | 'rollback' | 'prune' | 'unlock' | 'done' | 'failed';

/**
 * Points between steps where a run can be observed (and, in the fault-injection tests, stopped):
 * `lock` (locked, nothing changed), `upload` (before shipping), `switch` (current switched, nothing
 * restarted), `recreate:<service>` (that service runs the release), `health` (before the final
 * start and check), `prune` (everything runs the release; before cleaning up and unlocking).
 */
export type Boundary = 'lock' | 'upload' | 'switch' | `recreate:${string}` | 'health' | 'prune';

/** Everything a host deploy needs besides the target; shared by all hosts of one run. */
export interface DeployContext {
  readonly env: string;
  /** The lock's holder information for this run (run id, owner, pid, machine, start). */
  readonly lock: LockInfo;
  /** This machine, and whether a pid runs here: judges locks taken from here. */
  readonly local: { readonly machine: string; alive(pid: number): boolean };
  /** The command that releases a host's lock, as the user would type it. */
  readonly releaseHint?: (guest: string) => string;
  /** @default 5 */
  readonly keepReleases?: number;
  /** Per service, at least; a service whose healthcheck allows longer (start period + retries) gets that. @default 120000 */
  readonly healthTimeoutMs?: number;
  /** @default 40 */
  readonly logLines?: number;
  /** Secret values by spec name. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly masker: Masker;
  /** Asked before stateful services restart; false refuses the stack. */
  confirmStateful(guest: string, stack: string, services: readonly string[]): Promise<boolean>;
  readonly onStage?: (guest: string, stage: Stage, detail?: string) => void;
  /** Awaited at every {@link Boundary}; the run's stop signal is checked right after. */
  readonly atBoundary?: (guest: string, boundary: Boundary) => void | Promise<void>;
  /** Called before a release is uploaded, with its file paths (tests cut the connection here). */
  readonly beforeUpload?: (guest: string, files: readonly string[]) => void | Promise<void>;
  /** Aborted on SIGINT/SIGTERM: no new step starts, touched stacks roll back, the lock is released. */
  readonly signal?: AbortSignal;
  /** Sees every command the executor runs, before it runs (the dry-run equivalence test). */
  readonly onCommand?: (guest: string, argv: Argv) => void;
  /** @default the real SSH connection */
  readonly connect?: (ep: SshEndpoint, masker: Masker) => Promise<RemoteHost>;
  /** How often the lock's heartbeat is touched while the deploy runs. @default HEARTBEAT_SECONDS × 1000 */
  readonly heartbeatMs?: number;
}

export type Status = 'deployed' | 'unchanged' | 'repaired' | 'rolled-back' | 'interrupted' | 'failed';

export interface StackOutcome {
  readonly stack: string;
  readonly status: Status;
  /** The release `current` points at afterwards. */
  readonly release?: string;
  /** The release that failed (or was stopped) and was rolled back from. */
  readonly failedRelease?: string;
  /** Services this deploy brought to the release. */
  readonly restarted: readonly string[];
}

export interface HostOutcome {
  readonly guest: string;
  readonly address: string;
  readonly status: Status;
  readonly stacks: readonly StackOutcome[];
  readonly error?: Error;
  /** Set when the lock could not be released (connection gone): how to release it by hand. */
  readonly lockLeft?: string;
  /** Things the user should know: an interrupted deploy found and what became of it, a stale lock taken over, leftovers removed or left. */
  readonly notes: readonly string[];
  readonly elapsedMs: number;
}

/** The commands options of a deploy (shared with `--dry-run`). */
export function commandOptions(t: HostTarget, ctx: Pick<DeployContext, 'healthTimeoutMs' | 'keepReleases' | 'logLines'>): CommandOptions {
  return {
    root: t.root,
    healthTimeoutSeconds: Math.round((ctx.healthTimeoutMs ?? 120_000) / 1000),
    keepReleases: ctx.keepReleases ?? 5,
    logLines: ctx.logLines ?? 40,
  };
}

/** How the scripts address a rendered stack. */
export const refOf = (s: RenderedStack): StackRef => ({ stack: s.name, project: s.name, composeFile: s.composeFile });

class Stopped extends Error {
  constructor() {
    super('stopped');
  }
}

/** Deploys every stack of one host; see the module comment for the order of steps. */
export async function deployHost(t: HostTarget, ctx: DeployContext): Promise<HostOutcome> {
  const started = Date.now();
  const stage = (s: Stage, detail?: string) => ctx.onStage?.(t.guest, s, detail);
  const connectTo = ctx.connect ?? sshConnect;
  const address = `${t.endpoint.host}:${t.endpoint.port}`;
  const o = commandOptions(t, ctx);
  const notes: string[] = [];
  const outcomes = new Map<string, StackOutcome>();
  let remote: RemoteHost | undefined;
  let locked = false;
  let error: Error | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let plan: HostPlan | undefined;
  // Stacks this run switched or restarted, with the release to go back to.
  const touched: { plan: StackPlan; to?: string }[] = [];
  const completed: { plan: StackPlan; to?: string }[] = [];
  const run = async (argv: Argv, opts: { stdin?: string | Buffer; okCodes?: readonly number[] } = {}) => {
    ctx.onCommand?.(t.guest, argv);
    return remote!.run(argv, opts);
  };
  const boundary = async (b: Boundary) => {
    await ctx.atBoundary?.(t.guest, b);
    if (ctx.signal?.aborted) throw new Stopped();
  };
  try {
    stage('connect');
    remote = await connectTo(t.endpoint, ctx.masker);
    stage('lock');
    const state = await takeLock(t, ctx, run, notes);
    locked = true;
    timer = setInterval(() => void remote?.run(heartbeat(t.root)).catch(() => undefined), ctx.heartbeatMs ?? HEARTBEAT_SECONDS * 1000);
    timer.unref();
    const releases = t.stacks.map((s) => stackRelease(s, ctx.secrets, state.key));
    plan = planHost(releases, state);
    if (state.compose === 'none' && plan.stacks.some((s) => s.steps.length > 0)) {
      throw new OperationError(
        `${remote.name}: neither 'docker compose' nor 'docker-compose' is installed`,
        'Install Docker with the compose plugin on the host (the host-preparation playbook does)',
      );
    }
    if (plan.interrupted) notes.push(interruptedNote(plan.interrupted));
    await boundary('lock');
    for (const sp of plan.stacks) {
      stage('plan', `${sp.release.stack} ${sp.action}`);
      if (sp.leftovers.length) notes.push(`${sp.release.stack}: removing ${sp.leftovers.map((p) => `releases/${p}`).join(', ')} left by an interrupted upload`);
      if (sp.statefulChanged.length > 0 && !(await ctx.confirmStateful(t.guest, sp.release.stack, sp.statefulChanged))) {
        throw new ConfirmationRequiredError(t.guest, sp.release.stack, sp.statefulChanged);
      }
      outcomes.set(sp.release.stack, await runStack(sp, plan.flavor));
    }
    await boundary('prune');
    stage('prune');
    await run(finishCommand(plan, o));
    locked = false;
  } catch (err) {
    if (err instanceof Stopped) stopped = true;
    else error = err as Error;
  } finally {
    if (timer) clearInterval(timer);
  }

  async function runStack(sp: StackPlan, flavor: HostPlan['flavor']): Promise<StackOutcome> {
    const r = sp.release;
    if (sp.action === 'unchanged') return { stack: r.stack, status: 'unchanged', release: r.id, restarted: [] };
    // A stack already on this release (a repair, or a deploy that was killed after its switch) rolls
    // back to the release the journal names; otherwise to the one that was current.
    const entry: { plan: StackPlan; to?: string } = { plan: sp, ...(sp.rollbackTo ? { to: sp.rollbackTo } : {}) };
    if (sp.current === r.id && sp.rollbackTo) touched.push(entry);
    const done: string[] = [];
    try {
      for (const step of sp.steps) {
        if (step.kind === 'upload') {
          await boundary('upload');
          stage('upload', `${r.stack} ${r.id}`);
          await ctx.beforeUpload?.(
            t.guest,
            r.files.map((f) => f.path),
          );
          // The switch is the script's last command (`set -e`): a failed script never switched.
          try {
            await run(stepCommand(step, sp, flavor, o), step.upload ? { stdin: archive(r, ctx) } : {});
          } catch (err) {
            if (step.upload) notes.push(`${r.stack}: the failed upload may have left releases/${r.id}.partial on the host; the next deploy removes it`);
            if (err instanceof RemoteCommandError && err.remoteExitCode !== null && /No space left on device/.test(err.stderr)) {
              throw new OperationError(
                `${t.guest} (${address}): no space left on ${t.endpoint.host}:${o.root}/${r.stack}/releases while uploading release ${r.id}; nothing was switched`,
                `Free space on ${t.endpoint.host}:${o.root} (old releases: --keep) and deploy again`,
              );
            }
            throw err;
          }
          if (!touched.includes(entry)) touched.push(entry);
          await boundary('switch');
        } else if (step.kind === 'recreate') {
          stage('start', `${r.stack}/${step.service.name}`);
          if (!touched.includes(entry)) touched.push(entry);
          await runHealthStep(step, sp, flavor);
          done.push(step.service.name);
          await boundary(`recreate:${step.service.name}`);
        } else {
          await boundary('health');
          stage('health', r.stack);
          if (!touched.includes(entry)) touched.push(entry);
          await runHealthStep(step, sp, flavor);
        }
      }
    } catch (err) {
      if (err instanceof Stopped) throw err;
      if (!touched.includes(entry)) throw err;
      throw await rollBack(entry, flavor, err as Error);
    }
    // Done, but still rolled back if the run is stopped before it ends: a stopped run leaves every host as it found it.
    touched.splice(touched.indexOf(entry), 1);
    completed.push(entry);
    return { stack: r.stack, status: sp.action === 'repair' ? 'repaired' : 'deployed', release: r.id, restarted: sp.services };
  }

  async function runHealthStep(step: Step, sp: StackPlan, flavor: HostPlan['flavor']): Promise<void> {
    try {
      await run(stepCommand(step, sp, flavor, o));
    } catch (err) {
      if (!(err instanceof RemoteCommandError) || (err.remoteExitCode !== HEALTH_FAILED_EXIT && err.remoteExitCode !== HEALTH_TIMEOUT_EXIT)) throw err;
      const last =
        err.stderr
          .trim()
          .split('\n')
          .reverse()
          .find((l) => l.startsWith('health ')) ?? 'health ? did not become healthy';
      const [, service = '?', ...detail] = last.split(' ');
      let logs: string;
      try {
        const r = await run(logsCommand(sp, service, flavor, o));
        logs = `${r.stdout}${r.stderr}`;
      } catch (logErr) {
        logs = `(could not read the logs: ${(logErr as Error).message})`;
      }
      throw new HealthCheckFailedError(remote!.name, service, ctx.masker.mask(logs), ctx.masker.mask(detail.join(' ')));
    }
  }

  /** Rolls one stack back after a failure; returns the error to report, with the stack's outcome. */
  async function rollBack(entry: { plan: StackPlan; to?: string }, flavor: HostPlan['flavor'], err: Error): Promise<StackFailed> {
    const r = entry.plan.release;
    touched.splice(touched.indexOf(entry), 1);
    if (!entry.to) return new StackFailed({ stack: r.stack, status: 'failed', failedRelease: r.id, restarted: entry.plan.services }, err);
    stage('rollback', `${r.stack} -> ${entry.to}`);
    try {
      await run(rollbackCommand(entry.plan, entry.to, flavor, o));
    } catch (rollbackErr) {
      const both = err instanceof PvestackError ? err : new Error(`${err.message}\nThe rollback to ${entry.to} failed too: ${(rollbackErr as Error).message}`);
      return new StackFailed({ stack: r.stack, status: 'failed', failedRelease: r.id, restarted: entry.plan.services }, both);
    }
    return new StackFailed({ stack: r.stack, status: 'rolled-back', release: entry.to, failedRelease: r.id, restarted: entry.plan.services }, err);
  }

  if (error instanceof StackFailed) {
    outcomes.set(error.outcome.stack, error.outcome);
    error = error.reason;
  }
  // Stopped, or failed elsewhere: every stack this run switched goes back to where it was.
  if ((stopped || error) && remote && plan) {
    for (const entry of stopped ? [...completed, ...touched] : [...touched]) {
      if (!touched.includes(entry)) touched.push(entry);
      const rolled = await rollBack(entry, plan.flavor, error ?? new Error('stopped'));
      outcomes.set(rolled.outcome.stack, stopped && rolled.outcome.status === 'rolled-back' ? { ...rolled.outcome, status: 'interrupted' } : rolled.outcome);
      if (rolled.outcome.status === 'failed' && !error) error = rolled.reason;
    }
  }
  let lockLeft: string | undefined;
  if (locked) {
    stage('unlock');
    lockLeft = await unlock(remote!, t, ctx, connectTo, o);
  }
  remote?.close();
  const stacks = t.stacks.map((s) => outcomes.get(s.name)).filter((s): s is StackOutcome => s !== undefined);
  if (!error && !stopped && plan?.interrupted) notes.push(resolution(plan));
  const status: Status = stopped
    ? 'interrupted'
    : error
      ? stacks.some((s) => s.status === 'rolled-back')
        ? 'rolled-back'
        : 'failed'
      : stacks.every((s) => s.status === 'unchanged')
        ? 'unchanged'
        : stacks.every((s) => s.status === 'unchanged' || s.status === 'repaired')
          ? 'repaired'
          : 'deployed';
  stage(error || stopped ? 'failed' : 'done', error ? ctx.masker.mask(error.message.split('\n')[0]!) : stopped ? 'stopped' : undefined);
  return {
    guest: t.guest,
    address,
    status,
    stacks,
    ...(error ? { error } : {}),
    ...(lockLeft ? { lockLeft } : {}),
    notes: notes.map((n) => ctx.masker.mask(n)),
    elapsedMs: Date.now() - started,
  };
}

class StackFailed extends Error {
  constructor(
    readonly outcome: StackOutcome,
    readonly reason: Error,
  ) {
    super(reason.message);
  }
}

/** The release archive: its files, the fingerprint labels for compose and the manifest (0600). */
function archive(r: StackRelease, ctx: DeployContext): Buffer {
  const labels = { services: Object.fromEntries(r.services.map((s) => [s.name, { labels: { [CONFIG_LABEL]: s.fingerprint } }])) };
  const manifest: ReleaseManifest = {
    id: r.id,
    stack: r.stack,
    services: Object.fromEntries(r.services.map((s) => [s.name, s.fingerprint])),
    deployedBy: ctx.lock.owner,
    ...(ctx.lock.commit ? { commit: ctx.lock.commit } : {}),
    createdAt: ctx.lock.since,
  };
  return tarArchive([
    ...r.files,
    { path: LABELS_FILE, content: `${JSON.stringify(labels, null, 2)}\n`, mode: 0o644 },
    { path: MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n`, mode: 0o600 },
  ]);
}

/** Takes the lock (taking over a stale one, and saying so) and returns the host's state. */
async function takeLock(
  t: HostTarget,
  ctx: DeployContext,
  run: (argv: Argv, opts?: { stdin?: string; okCodes?: readonly number[] }) => Promise<{ stdout: string; stderr: string; code: number | null }>,
  notes: string[],
): Promise<HostState> {
  const o = commandOptions(t, ctx);
  const where = `${t.guest} (${t.endpoint.host}:${t.endpoint.port})`;
  for (let attempt = 0; ; attempt++) {
    const r = await run(lockCommand(t.stacks.map(refOf), o), { stdin: `${JSON.stringify(ctx.lock)}\n`, okCodes: [0, LOCK_HELD_EXIT, LOCK_WRITE_EXIT] });
    if (r.code === 0) return parseHostState(r.stdout);
    if (r.code === LOCK_WRITE_EXIT) {
      throw new OperationError(
        `${where}: cannot write the deploy lock ${lockDir(t.root)}: ${r.stderr.trim().split('\n').at(-1) ?? 'unknown error'}`,
        `Free space on ${t.endpoint.host}:${t.root} (or make it writable) and deploy again`,
      );
    }
    const state = parseHostState(r.stdout);
    const seen = state.lock ?? parseLock('0 ');
    const judged = judgeLock(seen.info, seen.mtime, state.now, ctx.local);
    if (!judged.stale || attempt > 0) {
      throw new LockHeldError(where, describeLock(judged), ctx.releaseHint?.(t.guest) ?? `pvestack lock release ${ctx.env} ${t.guest}`, {
        ...(judged.info.run ? { run: judged.info.run } : {}),
        ...(judged.info.commit ? { commit: judged.info.commit } : {}),
      });
    }
    notes.push(`took over a stale deploy lock (${describeLock(judged)})`);
    await run(breakStaleLock(t.root, seen.info), { okCodes: [0, LOCK_HELD_EXIT] });
  }
}

/** Clears the journal and releases the lock; if the connection is gone, reconnects once. Returns a hint when it could not. */
async function unlock(
  remote: RemoteHost,
  t: HostTarget,
  ctx: DeployContext,
  connectTo: NonNullable<DeployContext['connect']>,
  o: CommandOptions,
): Promise<string | undefined> {
  const cmd = finish(o.root, [], o.keepReleases);
  try {
    ctx.onCommand?.(t.guest, cmd);
    await remote.run(cmd);
    return undefined;
  } catch {
    try {
      const again = await connectTo(t.endpoint, ctx.masker);
      try {
        await again.run(cmd);
        return undefined;
      } finally {
        again.close();
      }
    } catch {
      return `the deploy lock on ${t.guest} is still in place; once the host is reachable run: ${ctx.releaseHint?.(t.guest) ?? `pvestack lock release ${ctx.env} ${t.guest}`}`;
    }
  }
}

function interruptedNote(i: Interrupted): string {
  return `found an interrupted deploy: it stopped at step '${i.step}'${i.stack ? ` of stack ${i.stack}` : ''} (${new Date(i.at * 1000).toISOString()})`;
}

/** What became of the interrupted deploy this run found. */
function resolution(plan: HostPlan): string {
  const i = plan.interrupted!;
  const sp = plan.stacks.find((s) => s.release.stack === i.stack);
  if (!sp || !i.release || i.release === sp.release.id)
    return `the interrupted deploy was finished: every stack runs its release (${plan.stacks.map((s) => `${s.release.stack}@${s.release.id}`).join(', ')})`;
  if (sp.rollbackTo === sp.release.id) return `the interrupted deploy of ${i.stack}@${i.release} was rolled back: ${i.stack} runs ${sp.release.id} again`;
  return `the interrupted deploy of ${i.stack}@${i.release} was replaced: ${i.stack} runs ${sp.release.id}`;
}

/** Reads a host's state without locking and plans against it (`--dry-run`); an unreachable host is planned as empty. */
export async function probeHost(t: HostTarget, ctx: Pick<DeployContext, 'masker' | 'connect'>): Promise<{ state: HostState; unreachable?: string }> {
  try {
    const remote = await (ctx.connect ?? sshConnect)(t.endpoint, ctx.masker);
    try {
      return { state: parseHostState((await remote.run(probe(t.root, t.stacks.map(refOf)))).stdout) };
    } finally {
      remote.close();
    }
  } catch (err) {
    return { state: UNKNOWN_HOST, unreachable: (err as Error).message };
  }
}
