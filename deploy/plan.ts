/**
 * The release plan: ONE pure function decides, from the typed releases and what the host runs,
 * which steps a deploy takes. The deployer executes these steps, `--dry-run` prints them, and both
 * turn a step into its command with {@link stepCommand}, so what a dry run shows is what runs.
 *
 * Convergence, not memory: a service counts as deployed only when its containers run, are healthy
 * and carry the release's fingerprint label. A stack whose `current` is the release and whose
 * services all check out is `unchanged`; anything else (a changed definition, a container stopped
 * or removed by hand, a deploy killed half-way) is brought to the release.
 */
import { ComposeFlavor, composeLogs, finish, lockAndProbe, recreateService, rollback, startAll, StackRef, uploadAndSwitch, WaitFor, Argv } from './commands';
import type { ContainerState, HostState, JournalEntry, StackState } from './host-state';
import { stackState } from './host-state';
import type { ReleaseService, StackRelease } from './release';

/** One step of a stack's deploy. */
export type Step =
  | { readonly kind: 'upload'; readonly upload: boolean }
  | { readonly kind: 'recreate'; readonly service: ReleaseService }
  /**
   * Waits until every service runs as released. `start`: runs `up -d --remove-orphans` first,
   * needed when nothing of the project runs yet (one `up` starts it all in dependency order) or
   * when containers of services the release no longer has must go. Otherwise every service either
   * already ran as released when the plan was made or had a recreate step of its own, so that `up`
   * would change nothing: it is left out, and so is a second start of the compose CLI per stack
   * (about 0.4 s of CPU each for the Python docker-compose 1.x that Debian ships).
   */
  | { readonly kind: 'health'; readonly start: boolean };

export interface StackPlan {
  readonly release: StackRelease;
  /** `unchanged`: verified running as released; `deploy`: a new release; `repair`: the release is current but services are not running as released. */
  readonly action: 'unchanged' | 'deploy' | 'repair';
  /** The release `current` points at now. */
  readonly current?: string;
  /** Where a failure rolls back to: the last release known good (the journal's, after an interrupted deploy). */
  readonly rollbackTo?: string;
  /** Services brought to the release, in start order. */
  readonly services: readonly string[];
  /** Stateful services whose running definition differs: they restart only after confirmation. */
  readonly statefulChanged: readonly string[];
  /** `<id>.partial` uploads a dead deploy left; the upload step removes them. */
  readonly leftovers: readonly string[];
  readonly steps: readonly Step[];
}

/** What an earlier, interrupted deploy left in the journal. */
export interface Interrupted {
  readonly step: string;
  readonly stack?: string;
  readonly release?: string;
  readonly at: number;
}

export interface HostPlan {
  readonly flavor: ComposeFlavor;
  readonly stacks: readonly StackPlan[];
  readonly interrupted?: Interrupted;
}

/** Options that shape commands, identical for a dry run and the deploy it previews. */
export interface CommandOptions {
  readonly root: string;
  /** Minimum wait per service, seconds; a healthcheck that allows longer gets that. */
  readonly healthTimeoutSeconds: number;
  readonly keepReleases: number;
  readonly logLines?: number;
}

const ok = (c: ContainerState): boolean =>
  (c.state === 'running' && (c.health === 'healthy' || c.health === 'none')) || (c.state === 'exited' && c.exitCode === 0);

/** A service runs as released: it has containers, all healthy and all carrying its fingerprint. */
export function runsAsReleased(state: StackState, svc: ReleaseService): boolean {
  const mine = state.containers.filter((c) => c.service === svc.name);
  return mine.length > 0 && mine.every((c) => ok(c) && c.fingerprint === svc.fingerprint);
}

/** The plan for one stack. */
export function planStack(release: StackRelease, state: StackState, journal: readonly JournalEntry[]): StackPlan {
  const names = new Set(release.services.map((s) => s.name));
  const orphans = state.containers.some((c) => !names.has(c.service));
  const off = release.services.filter((s) => !runsAsReleased(state, s));
  const switched = journal.find((j) => j.step === 'switch' && j.stack === release.stack && j.previous);
  const rollbackTo = switched?.previous ?? (state.current && state.current !== release.id ? state.current : undefined);
  const leftovers = state.partials;
  const base = { release, ...(state.current ? { current: state.current } : {}), ...(rollbackTo ? { rollbackTo } : {}), leftovers };
  if (state.current === release.id && off.length === 0 && !orphans) return { ...base, action: 'unchanged', services: [], statefulChanged: [], steps: [] };
  const statefulChanged = off
    .filter((s) => s.stateful && state.containers.some((c) => c.service === s.name && c.fingerprint !== s.fingerprint))
    .map((s) => s.name);
  const steps: Step[] = [];
  if (state.current !== release.id) steps.push({ kind: 'upload', upload: !state.releases.includes(release.id) });
  // Nothing of the project runs (a first deploy): one `up` starts it all in dependency order.
  if (state.containers.length > 0) for (const s of off) steps.push({ kind: 'recreate', service: s });
  steps.push({ kind: 'health', start: state.containers.length === 0 || orphans });
  return { ...base, action: state.current === release.id ? 'repair' : 'deploy', services: off.map((s) => s.name), statefulChanged, steps };
}

/**
 * Where a stack kind comes in a host's start order: backing services first (the app finds its
 * database, cache and model server when it starts, and its healthcheck can pass), the reverse
 * proxy after the apps it fronts, monitoring last (it scrapes everything else).
 */
const START_RANK: Readonly<Record<string, number>> = { postgres: 0, redis: 0, vllm: 1, compose: 2, nextjs: 3, worker: 3, 'nginx-proxy': 4, monitoring: 5 };
/** Kinds not ranked above (catalogue apps) start with the user's own compose stacks. */
const DEFAULT_RANK = START_RANK.compose!;

/**
 * The one start order of stacks, for a deploy and for `pvestack up`: by {@link START_RANK}, ties
 * in spec order. `pvestack down` stops them in the reverse order.
 */
export function stackStartOrder<T extends { readonly kind?: string }>(stacks: readonly T[]): T[] {
  const rank = (s: T) => START_RANK[s.kind ?? 'compose'] ?? DEFAULT_RANK;
  return stacks
    .map((s, i) => [s, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([s]) => s);
}

/**
 * The plan for a host: every stack in {@link stackStartOrder}, and what an interrupted deploy left
 * behind. `pvestack up` plans the local engine with it too (deploy/local-compose.ts).
 */
export function planHost(releases: readonly StackRelease[], state: HostState): HostPlan {
  const last = state.journal.at(-1);
  const interrupted = last
    ? { step: last.step, ...(last.stack ? { stack: last.stack } : {}), ...(last.release ? { release: last.release } : {}), at: last.at }
    : undefined;
  return {
    flavor: state.compose === 'none' ? 'v2' : state.compose,
    stacks: stackStartOrder(releases).map((r) => planStack(r, stackState(state, r.stack), state.journal)),
    ...(interrupted ? { interrupted } : {}),
  };
}

export const stackRef = (r: StackRelease): StackRef => ({ stack: r.stack, project: r.project, composeFile: r.composeFile });

/** What a health wait expects of a service: its fingerprint, and its budget (at least the configured minimum). */
export const waitFor = (s: ReleaseService, o: Pick<CommandOptions, 'healthTimeoutSeconds'>): WaitFor => ({
  service: s.name,
  fingerprint: s.fingerprint,
  seconds: Math.max(o.healthTimeoutSeconds, s.healthBudgetSeconds),
});

/** The command of one step. */
export function stepCommand(step: Step, plan: StackPlan, flavor: ComposeFlavor, o: CommandOptions): Argv {
  const r = plan.release;
  switch (step.kind) {
    case 'upload':
      return uploadAndSwitch(o.root, stackRef(r), {
        id: r.id,
        ...(plan.current ? { previous: plan.current } : {}),
        upload: step.upload,
        networks: r.externalNetworks,
      });
    case 'recreate':
      return recreateService(flavor, o.root, stackRef(r), waitFor(step.service, o));
    case 'health':
      return startAll(
        flavor,
        o.root,
        stackRef(r),
        r.services.map((s) => waitFor(s, o)),
        step.start,
      );
  }
}

/** The lock-and-read command every deploy starts with. */
export function lockCommand(stacks: readonly StackRef[], o: CommandOptions): Argv {
  return lockAndProbe(o.root, stacks);
}

/** The last command: prune the stacks that changed, clear the journal, release the lock. */
export function finishCommand(plan: HostPlan, o: CommandOptions): Argv {
  return finish(
    o.root,
    plan.stacks.filter((s) => s.action === 'deploy').map((s) => s.release.stack),
    o.keepReleases,
  );
}

/** Switches a stack back to `to` and waits for all its containers (budget: the largest service's). */
export function rollbackCommand(plan: StackPlan, to: string, flavor: ComposeFlavor, o: CommandOptions): Argv {
  const seconds = Math.max(o.healthTimeoutSeconds, ...plan.release.services.map((s) => s.healthBudgetSeconds));
  return rollback(flavor, o.root, stackRef(plan.release), to, seconds);
}

/** The command that reads a failed service's last log lines. */
export function logsCommand(plan: StackPlan, service: string, flavor: ComposeFlavor, o: CommandOptions): Argv {
  return composeLogs(flavor, o.root, stackRef(plan.release), service, o.logLines ?? 40);
}

/** Every command a deploy following `plan` runs when nothing fails, in order. */
export function planCommands(stacks: readonly StackRef[], plan: HostPlan, o: CommandOptions): Argv[] {
  return [lockCommand(stacks, o), ...plan.stacks.flatMap((s) => s.steps.map((step) => stepCommand(step, s, plan.flavor, o))), finishCommand(plan, o)];
}
