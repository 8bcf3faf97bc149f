/**
 * `pvestack deploy <env>`: ships each guest's rendered stacks over SSH with health-gated cutover and
 * automatic rollback (see deploy/README.md), or through Pulumi with `--engine pulumi`.
 * Exit 0 when every host is deployed or unchanged, 1 when a host failed (rolled back or not),
 * 2 for usage errors (unknown --only name, missing secrets, unconfirmed stateful restart).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { Environment } from '../../model';
import { ConfirmationRequiredError, UsageError } from '../../model/errors';
import { action, noChecksOption, prepare } from '../command';

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
    .option('--root <dir>', 'deploy root on the hosts', '/opt/pvestack')
    .option('--keep <n>', 'releases kept per stack', '5')
    .option('--health-timeout <seconds>', 'per-service wait for healthy', '120')
    .option('--engine <engine>', 'ssh (releases + compose) or pulumi (@pulumi/docker over ssh://)', 'ssh')
    .addOption(noChecksOption('deploy'))
    .addHelpText('after', '\nExit codes: 0 deployed or unchanged, 1 a host failed (rolled back when possible), 2 usage error.')
    .action(
      action(async (ctx, envName: string, flags: DeployFlags) => {
        const concurrency = positiveInt(flags.concurrency, '--concurrency');
        const keep = positiveInt(flags.keep, '--keep');
        const healthTimeout = positiveInt(flags.healthTimeout, '--health-timeout');
        if (flags.engine !== 'ssh' && flags.engine !== 'pulumi') throw new UsageError(`--engine ${flags.engine}: unknown engine`, 'Use --engine ssh or --engine pulumi');
        // Load → validate → check before any host is touched, for --dry-run too.
        const { deployAll, reportJson } = require('../../deploy/orchestrator') as typeof import('../../deploy/orchestrator');
        const { formatPlan, planHost } = require('../../deploy/plan') as typeof import('../../deploy/plan');
        const { LiveProgress, PlainProgress, summaryTable } = require('../../deploy/progress') as typeof import('../../deploy/progress');
        const { Masker } = require('../../deploy/secrets') as typeof import('../../deploy/secrets');
        const { targetsFor } = require('../../deploy/targets') as typeof import('../../deploy/targets');
        const { resolveSecretValues } = require('../../templates/compose/env-file') as typeof import('../../templates/compose/env-file');
        const { renderGuest } = require('../../templates/render') as typeof import('../../templates/render');
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
        try {
          secrets = resolveSecretValues(env, secretFiles, source);
        } catch (err) {
          if (!flags.dryRun) throw err;
          ctx.reporter.warn(`${(err as Error).message} (a real deploy stops here)`);
          // Placeholders only size the env files in the plan; their lines are masked anyway.
          secrets = new Map(secretFiles.flatMap((f) => f.entries.map((e) => [e.secret, 'unset'] as [string, string])));
        }
        const masker = new Masker(secrets.values());
        const holder = deployer();
        const commit = gitCommit();

        if (flags.dryRun) {
          const plans = targets.map((t) => planHost(t, secrets, masker, { holder, env: env.name, ...(commit ? { commit } : {}), now: new Date(), keepReleases: keep }));
          ctx.reporter.result({ dryRun: true, engine: flags.engine, hosts: plans });
          ctx.reporter.info(formatPlan(plans));
          return 0;
        }
        if (flags.engine === 'pulumi') {
          // Loaded only here: @pulumi/* takes a second to import and other verbs do not need it.
          const { runPulumiDeploy } = require('../../deploy/pulumi/run') as typeof import('../../deploy/pulumi/run');
          const result = await runPulumiDeploy(env.name, targets, secrets, { log: (l) => ctx.reporter.info(masker.mask(l)) });
          ctx.reporter.result(JSON.parse(masker.mask(JSON.stringify(result))));
          return 0;
        }

        const live = !flags.plain && process.env.CI !== 'true' && !ctx.global.json && Boolean(process.stderr.isTTY);
        const progress = live ? new LiveProgress(targets.map((t) => t.guest), masker) : new PlainProgress(masker);
        const report = await deployAll(
          targets,
          {
            env: env.name,
            holder,
            ...(commit ? { commit } : {}),
            keepReleases: keep,
            healthTimeoutMs: healthTimeout * 1000,
            secrets,
            masker,
            confirmStateful: confirmer(Boolean(flags.yes), ctx.global.json ? undefined : process.stderr),
          },
          { concurrency, progress },
        );
        ctx.reporter.result(reportJson(report, (t) => masker.mask(t)));
        ctx.reporter.info(summaryTable(report.hosts, masker));
        if (report.ok) return 0;
        return report.hosts.some((h) => h.error instanceof ConfirmationRequiredError) ? 2 : 1;
      }),
    );
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
        const answer = await rl.question(`\n${guest}: stack '${stack}' will restart stateful service(s) ${services.join(', ')} (definition changed). Continue? [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    });
    queue = ask.catch(() => false);
    return ask;
  };
}
