/**
 * `pvestack backup verify <env> <guest>`: a restore drill. On the guest that mounts the backups
 * (over SSH, or `--local` on this machine's Docker engine), a throwaway container of the server
 * image restores the newest base backup plus the archived WAL, starts PostgreSQL, runs the spec's
 * verify query (default: row counts of every table), and reports the restored point in time and
 * the data-loss window. The container is removed in every case but SIGKILL (the next run names
 * what a killed one left); the backups are mounted read-only. Exit 0 when the restore worked, 1
 * when it did not (the message says which step failed), 2 for a bad environment or guest name,
 * 130/143 when stopped by SIGINT/SIGTERM. The command a team runs weekly from CI
 * (.github/workflows/restore-drill.yml).
 */
import type { Command } from 'commander';
import { action } from '../command';
import { DEFAULT_KNOWN_HOSTS } from './deploy';

interface VerifyFlags {
  readonly local?: boolean;
  readonly identity?: string;
  readonly knownHosts?: string;
}

export function register(program: Command): void {
  const backup = program.command('backup').description('PostgreSQL backups: prove they restore');
  backup
    .command('verify')
    .description('restore drill: newest base backup + archived WAL into a scratch container, start it, query it, report the restored point in time')
    .argument('<env>', 'environment name or spec file')
    .argument('<guest>', 'guest that runs the postgres stack (and mounts its backups)')
    .option('--local', 'run the drill on the Docker engine of this machine (DOCKER_HOST), not over SSH on the guest')
    .option('-i, --identity <file>', 'SSH private key (default: the SSH agent)')
    .option('--known-hosts <file>', 'extra known_hosts file of accepted host keys', DEFAULT_KNOWN_HOSTS)
    .action(
      action(async (ctx, envName: string, guestName: string, flags: VerifyFlags) => {
        // Loaded here: registering the verb must stay cheap (bin/commands/index.ts).
        const { runDrill } = require('../../backup/run-drill') as typeof import('../../backup/run-drill');
        const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const env = loadEnvironment(envName);
        const say = (line: string) => (ctx.global.json || ctx.global.quiet ? undefined : process.stderr.write(`${line}\n`));
        const stopper = stopOnSignals(guestName, (line) => process.stderr.write(`${line}\n`));
        const report = await runDrill(env, guestName, {
          local: flags.local === true,
          ...(flags.identity ? { identity: flags.identity } : {}),
          ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}),
          progress: (line) => (line.startsWith('warning:') ? process.stderr.write(`${line}\n`) : say(line)),
          signal: stopper.signal,
          started: stopper.started,
        }).finally(() => stopper.dispose());
        ctx.reporter.result({ ok: true, env: env.name, guest: guestName, ...report });
        ctx.reporter.info(`restore drill of ${guestName} (${env.name}): OK`);
        ctx.reporter.info(`  base backup          ${report.baseBackup} (finished ${report.baseBackupFinishedAt})`);
        ctx.reporter.info(`  restored to          ${report.pointInTime}${report.restoredTo ? '' : ' (no transaction after the base backup)'}`);
        ctx.reporter.info(`  WAL replayed through ${report.replayedLsn} (newest archived segment ${report.newestArchivedSegment || 'none'})`);
        ctx.reporter.info(`  data-loss window     ${report.lossWindowSeconds} s (now minus the restored point in time)`);
        for (const row of report.rows) ctx.reporter.info(`  ${row.join('  ')}`);
        return 0;
      }),
    );
}

/**
 * SIGINT/SIGTERM: the first one stops the drill (its container is removed, nothing recorded); a
 * second one exits at once and says how to remove the container by hand.
 */
function stopOnSignals(guest: string, write: (line: string) => void) {
  const controller = new AbortController();
  let container: string | undefined;
  let first: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (!first) {
      first = sig;
      write(`\n${sig}: stopping the drill and removing its container (${sig === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} aborts at once)`);
      controller.abort(sig);
      return;
    }
    write(
      container
        ? `\n${sig} again: aborting now. The drill container ${container} may still run on ${guest}; remove it there with: docker rm -f ${container} (the next backup verify names it too)`
        : `\n${sig} again: aborting now, before the drill container started.`,
    );
    // bin/ is where the process ends: nothing else may run once the user insisted.
    process.exit(first === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    started: (name: string) => (container = name),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
