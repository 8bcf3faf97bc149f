/**
 * Runs the restore drill (`backup/drill.ts`) where the backups are: over SSH on the guest that
 * mounts them (through the deployer's verified SSH connection), or on the local Docker engine.
 * The drill container is removed whatever happens; a failing drill is an `OperationError` that
 * says which step failed and shows the end of its output.
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import type { Environment } from '../model';
import { OperationError } from '../model/errors';
import { DrillReport, drillCleanupArgv, drillContainerName, drillRecordArgv, drillRunArgv, drillTarget, parseDrillReport } from './drill';

export interface DrillOptions {
  /** Run on this machine's Docker engine (`DOCKER_HOST`) instead of over SSH on the guest. */
  readonly local: boolean;
  readonly identity?: string;
  readonly knownHostsPath?: string;
  readonly progress?: (line: string) => void;
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

export async function runDrill(env: Environment, guestName: string, opts: DrillOptions): Promise<DrillReport> {
  const target = drillTarget(env, guestName);
  const name = drillContainerName(target.guest.name, crypto.randomBytes(4).toString('hex'));
  const runner = opts.local ? { run: localRunner(), close: () => undefined } : await sshRunner(env, guestName, opts);
  opts.progress?.(
    `restoring the newest base backup of ${target.backupDir} in ${target.image} (${opts.local ? 'local Docker engine' : `${target.guest.name} over SSH`})`,
  );
  let ok = false;
  try {
    const out = await runner.run(drillRunArgv(target, name));
    ok = out.code === 0;
    if (out.code !== 0) {
      const tail = out.stderr.trim().split('\n').slice(-12).join('\n    ');
      throw new OperationError(
        `restore drill of ${target.guest.name} (${env.name}) FAILED: the newest backup in ${target.backupDir} did not restore (exit ${out.code})${tail ? `:\n    ${tail}` : ''}`,
        'The backups cannot be trusted until a drill passes: check the pg-backup sidecar log (docker compose logs pg-backup), pg_stat_archiver on the server, and the Storage Box mount.',
      );
    }
    return parseDrillReport(out.stdout, new Date());
  } finally {
    await runner.run(drillCleanupArgv(name)).catch(() => undefined);
    const recorded = await runner.run(drillRecordArgv(target, ok, new Date())).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    if (recorded.code !== 0)
      opts.progress?.(`warning: could not record the drill's outcome in ${target.backupDir}: ${recorded.stderr.trim().split('\n').pop()}`);
    runner.close();
  }
}
