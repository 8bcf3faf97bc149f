/**
 * Runs the restore drill (`backup/drill.ts`) where the backups are: over SSH on the guest that
 * mounts them (through the deployer's verified SSH connection), or on the local Docker engine.
 * The drill container is removed whatever happens short of SIGKILL (then the next run names it);
 * a failing drill is an `OperationError` that says which step failed and shows the end of its
 * output; a stopped one an `InterruptedError`.
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import type { Environment } from '../model';
import { InterruptedError, OperationError } from '../model/errors';
import {
  DrillLeftover,
  DrillReport,
  drillCleanupArgv,
  drillContainerName,
  drillLeftoversArgv,
  drillRecordArgv,
  drillRunArgv,
  drillTarget,
  parseDrillLeftovers,
  parseDrillReport,
} from './drill';

export interface DrillOptions {
  /** Run on this machine's Docker engine (`DOCKER_HOST`) instead of over SSH on the guest. */
  readonly local: boolean;
  readonly identity?: string;
  readonly knownHostsPath?: string;
  readonly progress?: (line: string) => void;
  /** Aborting it stops the drill: its container is removed and nothing is recorded. */
  readonly signal?: AbortSignal;
  /** Called with the drill container's name just before it starts. */
  readonly started?: (container: string) => void;
}

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

type Runner = (argv: string[]) => Promise<Outcome>;

function localRunner(): Runner {
  return (argv) =>
    new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (err) =>
        reject(new OperationError(`could not run ${argv[0]}: ${err.message}`, 'Install the Docker CLI, or run the drill on the guest (without --local).')),
      );
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}

async function sshRunner(env: Environment, guestName: string, opts: DrillOptions): Promise<{ run: Runner; close: () => void }> {
  const { connect } = require('../deploy/ssh') as typeof import('../deploy/ssh');
  const { Masker } = require('../deploy/secrets') as typeof import('../deploy/secrets');
  const { endpointFor, guestNamed } = require('../deploy/targets') as typeof import('../deploy/targets');
  const guest = guestNamed(env, guestName);
  const remote = await connect(
    endpointFor(guest, { ...(opts.identity ? { identity: opts.identity } : {}), ...(opts.knownHostsPath ? { knownHostsPath: opts.knownHostsPath } : {}) }),
    new Masker([]),
  );
  // Every exit code is an outcome here: the drill reads it, rather than the transport throwing.
  const okCodes = Array.from({ length: 256 }, (_, i) => i);
  return { run: async (argv) => remote.run(argv, { okCodes }), close: () => remote.close() };
}

/** What `runDrill` found and did: the drill's report, and leftovers of earlier drills it saw. */
export type DrillOutcome = DrillReport & { readonly leftovers: readonly DrillLeftover[] };

/** How long a stopped drill waits for `docker run` to return after removing its container. */
const STOP_WAIT_MS = 10_000;

/**
 * The drill. With `opts.signal` (bin/ aborts it on SIGINT/SIGTERM), a stop removes the container
 * at once and throws `InterruptedError`; no outcome is recorded, because nothing was proven either
 * way. Before it starts, it lists containers earlier drills of the guest left (their CLI was
 * killed), says how to remove them, and leaves them alone: one may be another person's drill.
 */
export async function runDrill(env: Environment, guestName: string, opts: DrillOptions): Promise<DrillOutcome> {
  const target = drillTarget(env, guestName);
  const name = drillContainerName(target.guest.name, crypto.randomBytes(4).toString('hex'));
  const where = opts.local ? 'the local Docker engine' : `${target.guest.name} over SSH`;
  const runner = opts.local ? { run: localRunner(), close: () => undefined } : await sshRunner(env, guestName, opts);
  let stopping: Promise<unknown> | undefined;
  const stop = () => (stopping ??= runner.run(drillCleanupArgv(name)).catch(() => undefined));
  let ok = false;
  try {
    const listed = await runner.run(drillLeftoversArgv(target.guest.name));
    const leftovers = listed.code === 0 ? parseDrillLeftovers(listed.stdout) : [];
    for (const l of leftovers)
      opts.progress?.(
        `warning: the container ${l.name} of an earlier drill of ${target.guest.name} is still there (${l.status}): a \`backup verify\` that was killed left it. ` +
          `It is removed when its restore ends; to remove it now (if no other drill of ${target.guest.name} is running): ${drillCleanupArgv(l.name).join(' ')}` +
          `${opts.local ? '' : ` on ${target.guest.name}`}`,
      );
    if (opts.signal?.aborted) throw interrupted(opts.signal, target.guest.name, env.name, undefined, where);
    opts.started?.(name);
    opts.progress?.(`restoring the newest base backup of ${target.backupDir} in ${target.image} (${where}, container ${name})`);
    opts.signal?.addEventListener('abort', stop, { once: true });
    const running = runner.run(drillRunArgv(target, name));
    const out = await (opts.signal ? Promise.race([running, aborted(opts.signal)]) : running);
    if (opts.signal?.aborted || out === undefined) {
      await stop();
      // `docker run` returns once its container is gone; a second removal covers a container that
      // was still being created when the first one ran.
      await Promise.race([running.catch(() => undefined), new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
      await runner.run(drillCleanupArgv(name)).catch(() => undefined);
      throw interrupted(opts.signal!, target.guest.name, env.name, name, where);
    }
    ok = out.code === 0;
    if (out.code !== 0) {
      const tail = out.stderr.trim().split('\n').slice(-12).join('\n    ');
      throw new OperationError(
        `restore drill of ${target.guest.name} (${env.name}) FAILED: the newest backup in ${target.backupDir} did not restore (exit ${out.code})${tail ? `:\n    ${tail}` : ''}`,
        'The backups cannot be trusted until a drill passes: check the pg-backup sidecar log (docker compose logs pg-backup), pg_stat_archiver on the server, and the Storage Box mount.',
      );
    }
    return { ...parseDrillReport(out.stdout, new Date()), leftovers };
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    if (!opts.signal?.aborted) {
      await runner.run(drillCleanupArgv(name)).catch(() => undefined);
      const recorded = await runner.run(drillRecordArgv(target, ok, new Date())).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
      if (recorded.code !== 0)
        opts.progress?.(`warning: could not record the drill's outcome in ${target.backupDir}: ${recorded.stderr.trim().split('\n').pop()}`);
    }
    runner.close();
  }
}

/** Resolves (with nothing) when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}

function interrupted(signal: AbortSignal, guest: string, envName: string, container: string | undefined, where: string): InterruptedError {
  const sig = signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  return new InterruptedError(
    sig,
    `restore drill of ${guest} (${envName}) stopped by ${sig}${container ? `: its container ${container} was removed on ${where}` : ' before its container started'}; no outcome was recorded`,
    'The backups were mounted read-only and are unchanged. Run pvestack backup verify again for a verdict.',
  );
}
