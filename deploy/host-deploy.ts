/**
 * The per-host deploy, as a state machine: verify the host key → take the lock → per stack: plan
 * (skip when the release hash is unchanged; ask before restarting stateful services) → upload into
 * `releases/<id>.partial` → seal → switch `current` → roll changed services one at a time, each
 * gated on its health → `up -d --remove-orphans` → wait for every service → prune old releases.
 * A failure after the switch points `current` back and brings the previous release up again.
 * The lock is always released (reconnecting once if the connection dropped).
 *
 * It never throws: the outcome carries the error, so one failing host does not hide the others.
 */
import * as path from 'node:path';
import { ConfirmationRequiredError, HealthCheckFailedError, LockHeldError, OperationError, PvestackError } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import {
  acquireLock,
  Argv,
  compose,
  ComposeFlavor,
  composeLogs,
  composeUp,
  detectCompose,
  ensureNetworks,
  LOCK_HELD_EXIT,
  MANIFEST_FILE,
  prepareUpload,
  pruneReleases,
  readCurrentRelease,
  releaseLock,
  sealRelease,
  serviceHealth,
  switchCurrent,
  uploadRelease,
} from './commands';
import { changedServices, composeFileOf, healthBudgetSeconds, ReleaseManifest, releaseFiles, releaseHash, releaseId, serviceFingerprints, startOrder } from './release';
import { Masker } from './secrets';
import { tarArchive } from './tar';
import { connect as sshConnect, RemoteHost, SshEndpoint } from './ssh';

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

/** Everything a host deploy needs besides the target; shared by all hosts of one run. */
export interface DeployContext {
  readonly env: string;
  /** Who deploys (`user@machine` or the CI actor), written into the lock and the manifest. */
  readonly holder: string;
  readonly commit?: string;
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
  readonly now?: () => Date;
  readonly onStage?: (guest: string, stage: Stage, detail?: string) => void;
  /** Called before a release is uploaded, with its file paths (tests cut the connection here). */
  readonly beforeUpload?: (guest: string, files: readonly string[]) => void | Promise<void>;
  /** @default the real SSH connection */
  readonly connect?: (ep: SshEndpoint, masker: Masker) => Promise<RemoteHost>;
}

export type Status = 'deployed' | 'unchanged' | 'rolled-back' | 'failed';

export interface StackOutcome {
  readonly stack: string;
  readonly status: Status;
  /** The release `current` points at afterwards. */
  readonly release?: string;
  /** The release that failed and was rolled back from. */
  readonly failedRelease?: string;
  /** Services (re)started by this deploy. */
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
  readonly elapsedMs: number;
}

class StackFailed extends Error {
  constructor(
    readonly outcome: StackOutcome,
    readonly reason: Error,
  ) {
    super(reason.message);
  }
}

/** Deploys every stack of one host; see the module comment for the order of steps. */
export async function deployHost(t: HostTarget, ctx: DeployContext): Promise<HostOutcome> {
  const started = Date.now();
  const stage = (s: Stage, detail?: string) => ctx.onStage?.(t.guest, s, detail);
  const connectTo = ctx.connect ?? sshConnect;
  const address = `${t.endpoint.host}:${t.endpoint.port}`;
  const stacks: StackOutcome[] = [];
  let remote: RemoteHost | undefined;
  let locked = false;
  let error: Error | undefined;
  try {
    stage('connect');
    remote = await connectTo(t.endpoint, ctx.masker);
    stage('lock');
    await takeLock(remote, t, ctx);
    locked = true;
    // Asked only when a stack changed: an unchanged deploy is one lock, one read, one unlock.
    let flavor: ComposeFlavor | undefined;
    const composeFlavor = async () => (flavor ??= await detectFlavor(remote!));
    for (const stack of t.stacks) stacks.push(await deployStack(remote, composeFlavor, t, stack, ctx, stage));
  } catch (err) {
    if (err instanceof StackFailed) {
      stacks.push(err.outcome);
      error = err.reason;
    } else error = err as Error;
  }
  let lockLeft: string | undefined;
  if (locked) {
    stage('unlock');
    lockLeft = await unlock(remote!, t, ctx, connectTo);
  }
  remote?.close();
  const status: Status = error
    ? stacks.some((s) => s.status === 'rolled-back')
      ? 'rolled-back'
      : 'failed'
    : stacks.every((s) => s.status === 'unchanged')
      ? 'unchanged'
      : 'deployed';
  stage(error ? 'failed' : 'done', error ? ctx.masker.mask(error.message.split('\n')[0]!) : undefined);
  return { guest: t.guest, address, status, stacks, ...(error ? { error } : {}), ...(lockLeft ? { lockLeft } : {}), elapsedMs: Date.now() - started };
}

async function takeLock(remote: RemoteHost, t: HostTarget, ctx: DeployContext): Promise<void> {
  const since = (ctx.now ?? (() => new Date()))().toISOString();
  const r = await remote.run(acquireLock(t.root, { holder: ctx.holder, since, ...(ctx.commit ? { commit: ctx.commit } : {}), env: ctx.env }), { okCodes: [0, LOCK_HELD_EXIT] });
  if (r.code === LOCK_HELD_EXIT) {
    const info = parseJson<{ holder?: string; since?: string; commit?: string }>(r.stdout) ?? {};
    throw new LockHeldError(`${t.guest} (${t.endpoint.host}:${t.endpoint.port})`, info.holder ?? 'an unknown deploy', info.since ?? 'an unknown time', {
      ...(info.commit ? { commit: info.commit } : {}),
      env: ctx.env,
      guest: t.guest,
    });
  }
}

/** Releases the lock; if the connection is gone, reconnects once. Returns a hint when it could not. */
async function unlock(remote: RemoteHost, t: HostTarget, ctx: DeployContext, connectTo: NonNullable<DeployContext['connect']>): Promise<string | undefined> {
  try {
    await remote.run(releaseLock(t.root));
    return undefined;
  } catch {
    try {
      const again = await connectTo(t.endpoint, ctx.masker);
      try {
        await again.run(releaseLock(t.root));
        return undefined;
      } finally {
        again.close();
      }
    } catch {
      return `the deploy lock on ${t.guest} is still in place; run 'pvestack lock release ${ctx.env} ${t.guest}' once the host is reachable`;
    }
  }
}

async function detectFlavor(remote: RemoteHost): Promise<ComposeFlavor> {
  const out = (await remote.run(detectCompose())).stdout.trim();
  if (out === 'v2' || out === 'v1') return out;
  throw new OperationError(`${remote.name}: neither 'docker compose' nor 'docker-compose' is installed`, 'Install Docker with the compose plugin on the host (the host-preparation playbook does)');
}

async function deployStack(remote: RemoteHost, composeFlavor: () => Promise<ComposeFlavor>, t: HostTarget, stack: RenderedStack, ctx: DeployContext, stage: (s: Stage, d?: string) => void): Promise<StackOutcome> {
  const root = t.root;
  stage('plan', stack.name);
  const files = releaseFiles(stack, ctx.secrets);
  const hash = releaseHash(files);
  const fingerprints = serviceFingerprints(stack, files);
  const [prevTarget = '', ...manifestLines] = (await remote.run(readCurrentRelease(root, stack.name))).stdout.split('\n');
  const prevId = prevTarget.trim() ? path.posix.basename(prevTarget.trim()) : undefined;
  const prev = prevId ? parseJson<ReleaseManifest>(manifestLines.join('\n')) : undefined;
  if (prevId && prev?.hash === hash) return { stack: stack.name, status: 'unchanged', release: prevId, restarted: [] };

  const changed = changedServices(prev, fingerprints);
  const statefulChanged = stack.services.filter((s) => s.stateful && changed.includes(s.name) && prev?.services[s.name] !== undefined).map((s) => s.name);
  if (statefulChanged.length > 0 && !(await ctx.confirmStateful(t.guest, stack.name, statefulChanged))) {
    throw new ConfirmationRequiredError(t.guest, stack.name, statefulChanged);
  }

  const id = releaseId((ctx.now ?? (() => new Date()))(), hash);
  const manifest: ReleaseManifest = { id, stack: stack.name, hash, services: fingerprints, deployedBy: ctx.holder, ...(ctx.commit ? { commit: ctx.commit } : {}), createdAt: (ctx.now ?? (() => new Date()))().toISOString() };
  stage('upload', `${stack.name} ${id}`);
  await remote.run(prepareUpload(root, stack.name, id));
  // One archive, one round trip; the manifest rides along.
  await ctx.beforeUpload?.(t.guest, files.map((f) => f.path));
  const archive = tarArchive([...files, { path: MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n`, mode: 0o644 }]);
  await remote.run(uploadRelease(root, stack.name, id), { stdin: archive });
  // Only a complete upload is sealed, and only a sealed release becomes current: a cut connection
  // leaves a `.partial` directory behind and the running release untouched.
  await remote.run(sealRelease(root, stack.name, id));

  stage('switch', `${stack.name} -> ${id}`);
  await remote.run(switchCurrent(root, stack.name, id));
  const base = compose(await composeFlavor(), root, stack.name, stack.name, composeFileOf(stack));
  const order = startOrder(stack, files);
  const budgets = healthBudgetSeconds(stack, files);
  const startCtx = { ...ctx, budgets };
  if (stack.externalNetworks?.length) await remote.run(ensureNetworks(stack.externalNetworks));
  try {
    await startRelease(remote, base, stack.name, order, prevId ? changed : [], !sameServices(prev, fingerprints), startCtx, stage);
  } catch (err) {
    if (!prevId || !prev) throw new StackFailed({ stack: stack.name, status: 'failed', failedRelease: id, restarted: changed }, err as Error);
    stage('rollback', `${stack.name} -> ${prevId}`);
    try {
      await remote.run(switchCurrent(root, stack.name, prevId));
      const back = order.filter((s) => changed.includes(s) && prev.services[s] !== undefined);
      await startRelease(remote, base, stack.name, [...order, ...Object.keys(prev.services).filter((s) => !order.includes(s))], back, !sameServices(prev, fingerprints), startCtx, stage);
    } catch (rollbackErr) {
      const both = new Error(`${(err as Error).message}\nThe rollback to ${prevId} failed too: ${(rollbackErr as Error).message}`);
      throw new StackFailed({ stack: stack.name, status: 'failed', release: prevId, failedRelease: id, restarted: changed }, err instanceof PvestackError ? err : both);
    }
    throw new StackFailed({ stack: stack.name, status: 'rolled-back', release: prevId, failedRelease: id, restarted: changed }, err as Error);
  }
  stage('prune', stack.name);
  await remote.run(pruneReleases(root, stack.name, ctx.keepReleases ?? 5));
  return { stack: stack.name, status: 'deployed', release: id, restarted: changed };
}

/**
 * Starts what `current` points at. Services whose definition changed are recreated one at a time
 * (dependencies first), each waiting for its health before the next: replicas behind nginx roll
 * while the others serve. When services were added or removed (or on a first deploy), one full
 * `up -d --remove-orphans` follows; then every service must be healthy.
 */
type StartContext = DeployContext & { readonly budgets: Readonly<Record<string, number>> };

async function startRelease(remote: RemoteHost, base: Argv, project: string, order: readonly string[], roll: readonly string[], full: boolean, ctx: StartContext, stage: (s: Stage, d?: string) => void): Promise<void> {
  for (const svc of order.filter((s) => roll.includes(s))) {
    stage('start', `${project}/${svc}`);
    await remote.run(composeUp(base, { services: [svc], forceRecreate: true }));
    stage('health', `${project}/${svc}`);
    await waitHealthy(remote, base, project, svc, ctx);
  }
  if (full) {
    stage('start', project);
    await remote.run(composeUp(base));
  }
  for (const svc of order) {
    stage('health', `${project}/${svc}`);
    await waitHealthy(remote, base, project, svc, ctx);
  }
}

/**
 * Waits until every container of a service runs and is healthy (or has no healthcheck, or is a
 * one-shot job that exited 0). `unhealthy` or a crashed container fails at once; otherwise the
 * per-service timeout applies. The failure carries the service's last log lines, masked.
 */
async function waitHealthy(remote: RemoteHost, base: Argv, project: string, service: string, ctx: StartContext): Promise<void> {
  const timeoutMs = Math.max(ctx.healthTimeoutMs ?? 120_000, (ctx.budgets[service] ?? 0) * 1000);
  const deadline = Date.now() + timeoutMs;
  let last = 'no container';
  for (;;) {
    const lines = (await remote.run(serviceHealth(project, service))).stdout.trim().split('\n').filter(Boolean);
    const states = lines.map((l) => {
      const [state, exitCode, health] = l.split(' ');
      return { state, exitCode, health };
    });
    const bad = states.find((s) => s.health === 'unhealthy' || s.state === 'dead' || (s.state === 'exited' && s.exitCode !== '0'));
    if (bad) return failHealth(remote, base, service, ctx, bad.health === 'unhealthy' ? 'is unhealthy' : `${bad.state} with exit code ${bad.exitCode}`);
    const ok = states.length > 0 && states.every((s) => (s.state === 'running' && (s.health === 'healthy' || s.health === 'none')) || (s.state === 'exited' && s.exitCode === '0'));
    if (ok) return;
    last = lines.join(', ') || 'no container';
    if (Date.now() > deadline) return failHealth(remote, base, service, ctx, `did not become healthy within ${Math.round(timeoutMs / 1000)} s (last state: ${last})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function failHealth(remote: RemoteHost, base: Argv, service: string, ctx: DeployContext, detail: string): Promise<never> {
  let logs = '';
  try {
    const r = await remote.run(composeLogs(base, service, ctx.logLines ?? 40));
    logs = `${r.stdout}${r.stderr}`;
  } catch (err) {
    logs = `(could not read the logs: ${(err as Error).message})`;
  }
  throw new HealthCheckFailedError(remote.name, service, ctx.masker.mask(logs), detail);
}

/** Same service names in both releases: rolling the changed ones covers everything. */
function sameServices(prev: ReleaseManifest | undefined, next: Readonly<Record<string, string>>): boolean {
  if (!prev) return false;
  const a = Object.keys(prev.services).sort();
  const b = Object.keys(next).sort();
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function parseJson<T>(text: string): T | undefined {
  try {
    return text.trim() ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}
