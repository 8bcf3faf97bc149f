/**
 * `pvestack deploy <env>`: ships each guest's rendered stacks over SSH with health-gated cutover and
 * automatic rollback (see deploy/README.md), or through Pulumi with `--engine pulumi`.
 * Exit 0 when every host is deployed or unchanged, 1 when a host failed (rolled back or not),
 * 2 for usage errors (unknown --only name, missing secrets, unconfirmed stateful restart).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { Environment } from '../../model';
import { ConfirmationRequiredError, UsageError } from '../../model/errors';
import type { Boundary, HostOutcome, Stage } from '../../deploy/host-deploy';
import type { LockInfo } from '../../deploy/lock';
import type { Masker } from '../../deploy/secrets';
import { action, noChecksOption, prepare } from '../command';

/** Default deploy root on a host (deploy/commands.ts `DEFAULT_DEPLOY_ROOT`; repeated so registering the verb loads no deploy module). */
export const DEFAULT_DEPLOY_ROOT = '/opt/pvestack';

interface DeployFlags {
  readonly only?: string[];
  readonly dryRun?: boolean;
  readonly concurrency: string;
  readonly yes?: boolean;
  readonly plain?: boolean;
  readonly envFile?: string;
  readonly trustOnFirstUse?: boolean | string;
  readonly knownHosts?: string;
  readonly identity?: string;
  readonly root?: string;
  readonly keep: string;
  readonly healthTimeout: string;
  readonly engine: string;
  readonly checks: boolean;
}

/** Where `--trust-on-first-use` records keys unless told otherwise; also read on every deploy. */
export const DEFAULT_KNOWN_HOSTS = path.join('.pvestack', 'known_hosts');

export function register(program: Command): void {
  program
    .command('deploy')
    .description('deploy the application stacks over SSH: lock, upload a release, switch, health-gated cutover, rollback on failure')
    .argument('<env>', 'environment name or spec file')
    .option('--only <names...>', 'only these guests or stacks')
    .option('--dry-run', 'print per host the commands and files it would ship (secret values masked), change nothing')
    .option('--concurrency <n>', 'hosts deployed at the same time', '4')
    .option('--yes', 'restart stateful services whose definition changed without asking')
    .option('--plain', 'plain timestamped progress lines (default when CI=true or not on a terminal)')
    .option('--env-file <file>', 'read secret values from this KEY=value file (besides the environment)')
    .option('--trust-on-first-use [file]', `accept unknown host keys and record them (default ${DEFAULT_KNOWN_HOSTS})`)
    .option('--known-hosts <file>', `extra known_hosts file of accepted host keys (default ${DEFAULT_KNOWN_HOSTS})`)
    .option('-i, --identity <file>', 'SSH private key (default: the SSH agent)')
    .option('--root <dir>', 'deploy root on the hosts', DEFAULT_DEPLOY_ROOT)
    .option('--keep <n>', 'releases kept per stack', '5')
    .option('--health-timeout <seconds>', 'per-service wait for healthy', '120')
    .option('--engine <engine>', 'ssh (releases + compose) or pulumi (@pulumi/docker over ssh://)', 'ssh')
    .addOption(noChecksOption('deploy'))
    .addHelpText(
      'after',
      '\nCtrl-C or SIGTERM: no new step starts, hosts mid-switch roll back, locks are released, a summary is printed;\n' +
        'a second Ctrl-C stops at once and says what state each host is in.\n' +
        'Exit codes: 0 deployed or unchanged, 1 a host failed (rolled back when possible), 2 usage error, 130 stopped by SIGINT, 143 by SIGTERM.',
    )
    .action(
      action(async (ctx, envName: string, flags: DeployFlags) => {
        const concurrency = positiveInt(flags.concurrency, '--concurrency');
        const keep = positiveInt(flags.keep, '--keep');
        const healthTimeout = positiveInt(flags.healthTimeout, '--health-timeout');
        if (flags.engine !== 'ssh' && flags.engine !== 'pulumi')
          throw new UsageError(`--engine ${flags.engine}: unknown engine`, 'Use --engine ssh or --engine pulumi');
        // Loaded when the verb runs, not when it registers (the CLI stays quick to start).
        const { checkSecretValues, Masker } = require('../../deploy/secrets') as typeof import('../../deploy/secrets');
        const { targetsFor } = require('../../deploy/targets') as typeof import('../../deploy/targets');
        const { resolveSecretValues } = require('../../templates/compose/env-file') as typeof import('../../templates/compose/env-file');
        const { renderGuest } = require('../../templates/render') as typeof import('../../templates/render');
        // Load → validate → check before any host is touched, for --dry-run too.
        const [env] = prepare(ctx, [envName], flags.checks, 'deploy touched no host').environments as [Environment];
        const tofuFile = flags.trustOnFirstUse === true ? DEFAULT_KNOWN_HOSTS : flags.trustOnFirstUse || undefined;
        const targets = targetsFor(env, (e, g) => renderGuest(e, g), {
          ...(flags.only ? { only: flags.only } : {}),
          ...(flags.root ? { root: flags.root } : {}),
          ...(flags.identity ? { identity: flags.identity } : {}),
          knownHostsPath: flags.knownHosts ?? tofuFile ?? DEFAULT_KNOWN_HOSTS,
          ...(tofuFile ? { trustOnFirstUseFile: tofuFile } : {}),
        });
        const source = { ...process.env, ...(flags.envFile ? readEnvFile(flags.envFile) : {}) };
        const secretFiles = targets.flatMap((t) => t.stacks.flatMap((s) => s.secretFiles));
        let secrets: Map<string, string>;
        let placeholders = false;
        try {
          secrets = resolveSecretValues(env, secretFiles, source);
        } catch (err) {
          if (!flags.dryRun) throw err;
          ctx.reporter.warn(`${(err as Error).message} (a real deploy stops here)`);
          // Placeholders only size the env files in the plan; their lines are masked anyway.
          secrets = new Map(secretFiles.flatMap((f) => f.entries.map((e) => [e.secret, 'unset'] as [string, string])));
          placeholders = true;
        }
        if (!flags.dryRun || !placeholders) checkSecretValues(secrets);
        const masker = new Masker(secrets.values());
        const commit = gitCommit();
        const common = { keepReleases: keep, healthTimeoutMs: healthTimeout * 1000, secrets, masker };

        if (flags.dryRun) {
          // Loaded here: the SSH library is only needed once a host is contacted.
          const { dryRunHost, formatDryRun } = require('../../deploy/dry-run') as typeof import('../../deploy/dry-run');
          const plans = await Promise.all(targets.map((t) => dryRunHost(t, common)));
          ctx.reporter.result(masker.maskDeep({ dryRun: true, engine: flags.engine, hosts: plans }));
          ctx.reporter.info(formatDryRun(plans, masker));
          return 0;
        }
        if (flags.engine === 'pulumi') {
          // Loaded only here: @pulumi/* takes a second to import and other verbs do not need it.
          const { runPulumiDeploy } = require('../../deploy/pulumi/run') as typeof import('../../deploy/pulumi/run');
          const result = await runPulumiDeploy(env.name, targets, secrets, { log: (l) => ctx.reporter.info(masker.mask(l)) });
          ctx.reporter.result(masker.maskDeep(result));
          return 0;
        }

        const { deployAll, reportJson } = require('../../deploy/orchestrator') as typeof import('../../deploy/orchestrator');
        const { LiveProgress, PlainProgress, summaryTable } = require('../../deploy/progress') as typeof import('../../deploy/progress');
        const { pidAlive } = require('../../deploy/lock') as typeof import('../../deploy/lock');
        const lock: LockInfo = {
          run: randomBytes(4).toString('hex'),
          owner: deployer(),
          machine: os.hostname(),
          pid: process.pid,
          since: new Date().toISOString(),
          env: env.name,
          ...(commit ? { commit } : {}),
        };
        const live = !flags.plain && process.env.CI !== 'true' && !ctx.global.json && Boolean(process.stderr.isTTY);
        const progress = live
          ? new LiveProgress(
              targets.map((t) => t.guest),
              masker,
            )
          : new PlainProgress(masker);
        const stop = stopOnSignals(
          targets.map((t) => t.guest),
          masker,
          (line) => process.stderr.write(`${line}\n`),
        );
        const fault = faultInjection(targets.length, stop.controller);
        try {
          const report = await deployAll(
            targets,
            {
              ...common,
              env: env.name,
              lock,
              local: { machine: os.hostname(), alive: pidAlive },
              releaseHint: (guest) => releaseCommand(envName, guest, flags),
              confirmStateful: confirmer(Boolean(flags.yes), ctx.global.json ? undefined : process.stderr),
              signal: stop.controller.signal,
              onStage: (guest, stage, detail) => {
                stop.seen(guest, stage, detail);
                fault?.seen(guest, stage);
              },
              ...(fault ? { atBoundary: fault.atBoundary } : {}),
            },
            { concurrency, progress },
          );
          const signal = stop.received();
          ctx.reporter.result(reportJson(report, masker, signal ? { stopped: signal } : {}));
          ctx.reporter.info(summaryTable(report.hosts, masker));
          if (signal) {
            process.stderr.write(`${masker.mask(stoppedSummary(report.hosts, signal))}\n`);
            return signal === 'SIGINT' ? 130 : 143;
          }
          if (report.ok) return 0;
          return report.hosts.some((h) => h.error instanceof ConfirmationRequiredError) ? 2 : 1;
        } finally {
          stop.dispose();
        }
      }),
    );
}

/** `pvestack lock release ...` as it works when typed: the spec as given, and --root, -i, --known-hosts when set. */
function releaseCommand(envArg: string, guest: string, flags: DeployFlags): string {
  const parts = ['pvestack', 'lock', 'release', envArg, guest];
  if (flags.root && flags.root !== DEFAULT_DEPLOY_ROOT) parts.push('--root', flags.root);
  if (flags.identity) parts.push('-i', flags.identity);
  if (flags.knownHosts) parts.push('--known-hosts', flags.knownHosts);
  return parts.map((p) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * SIGINT/SIGTERM: the first one aborts the run's signal (no new step starts; hosts mid-switch roll
 * back; locks are released; the summary follows); a second one exits at once, saying where each
 * host was.
 */
function stopOnSignals(guests: readonly string[], masker: Masker, write: (line: string) => void) {
  const controller = new AbortController();
  const where = new Map<string, string>(guests.map((g) => [g, 'waiting (not contacted)']));
  let first: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (!first) {
      first = sig;
      write(
        `\n${sig}: stopping; no new step starts, hosts mid-switch roll back, locks are released (${sig === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} aborts at once)`,
      );
      controller.abort(sig);
      return;
    }
    write(`\n${sig} again: aborting now. Where each host was:`);
    for (const [g, w] of where) write(masker.mask(`  ${g}: ${w}`));
    write(
      'A host caught mid-step may be half switched and still locked; the next deploy finds the interrupted one and finishes it (see pvestack lock status).',
    );
    // bin/ is where the process ends: nothing else may run once the user insisted.
    process.exit(first === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    controller,
    received: () => first,
    seen(guest: string, stage: Stage, detail?: string) {
      where.set(guest, `${stage}${detail ? ` ${detail}` : ''}`);
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function stoppedSummary(hosts: readonly HostOutcome[], signal: string): string {
  const lines = hosts.map((h) => {
    const stacks = h.stacks
      .map((s) => `${s.stack} ${s.status === 'interrupted' ? `rolled back to ${s.release}` : `${s.status}${s.release ? ` on ${s.release}` : ''}`}`)
      .join(', ');
    return `  ${h.guest}: ${h.status}${stacks ? ` (${stacks})` : ''}${h.lockLeft ? '; lock left' : '; lock released'}`;
  });
  return [`Stopped by ${signal}:`, ...lines].join('\n');
}

/**
 * Deterministic fault injection for the deployer's own death (test/deploy/interrupt.tool.test.ts):
 * `PVESTACK_FAULT_AT=<boundary>:<SIGKILL|SIGINT|SIGTERM>` holds every host at that boundary (see
 * `Boundary`) and, once all hosts are there (or finished without reaching it), sends the signal to
 * this process. After SIGINT/SIGTERM the held hosts continue into the stop handling.
 */
function faultInjection(hosts: number, controller: AbortController) {
  const spec = process.env.PVESTACK_FAULT_AT;
  if (!spec) return undefined;
  const cut = spec.lastIndexOf(':');
  const at = spec.slice(0, cut) as Boundary;
  const signal = spec.slice(cut + 1) as NodeJS.Signals;
  const arrived = new Set<string>();
  let fired = false;
  const fire = () => {
    if (fired || arrived.size < hosts) return;
    fired = true;
    process.kill(process.pid, signal);
  };
  const released = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  return {
    async atBoundary(guest: string, b: Boundary) {
      if (b !== at) return;
      arrived.add(guest);
      fire();
      await released;
    },
    seen(guest: string, stage: Stage) {
      if (stage !== 'done' && stage !== 'failed') return;
      arrived.add(guest);
      fire();
    },
  };
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: not a positive whole number`, `Pass e.g. ${flag} 4`);
  return n;
}

function readEnvFile(file: string): Record<string, string> {
  if (!fs.existsSync(file)) throw new UsageError(`--env-file ${file}: no such file`, 'Pass a file of KEY=value lines, kept out of the repository');
  const { parseEnvFile } = require('../../deploy/secrets') as typeof import('../../deploy/secrets');
  return parseEnvFile(fs.readFileSync(file, 'utf8'));
}

/** Who deploys: the CI actor when there is one, else user@machine. */
function deployer(): string {
  return process.env.PVESTACK_DEPLOYER ?? process.env.GITHUB_ACTOR ?? process.env.GITLAB_USER_LOGIN ?? `${os.userInfo().username}@${os.hostname()}`;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks before stateful services restart: `--yes` agrees, a terminal gets a prompt (one at a time,
 * hosts deploy in parallel), and anything else declines, which refuses that stack with a message
 * naming `--yes`.
 */
function confirmer(yes: boolean, tty: NodeJS.WriteStream | undefined): (guest: string, stack: string, services: readonly string[]) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  return async (guest, stack, services) => {
    if (yes) return true;
    if (!tty?.isTTY || !process.stdin.isTTY) return false;
    const ask = queue.then(async () => {
      const rl = readline.createInterface({ input: process.stdin, output: tty });
      try {
        const answer = await rl.question(
          `\n${guest}: stack '${stack}' will restart stateful service(s) ${services.join(', ')} (definition changed). Continue? [y/N] `,
        );
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    });
    queue = ask.catch(() => false);
    return ask;
  };
}
