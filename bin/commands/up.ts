import type { Command } from 'commander';
import type { LocalPlan } from '../../deploy/local-compose';
import type { Environment } from '../../model';
import { UsageError } from '../../model/errors';
import { action, noChecksOption, prepare, type CommandContext } from '../command';

interface UpOptions {
  readonly gpu: boolean;
  readonly cpuStubImage?: string;
  readonly guest?: string[];
  readonly dryRun?: boolean;
  readonly waitTimeout: string;
  readonly checks: boolean;
}

/** A dry run says which secret values the real run would miss, instead of looking ready. */
function warnMissingSecrets(ctx: CommandContext, env: Environment, plan: LocalPlan): void {
  const { resolveSecretValues } = require('../../templates/compose/env-file') as typeof import('../../templates/compose/env-file');
  try {
    resolveSecretValues(
      env,
      plan.stacks.flatMap((s) => s.stack.secretFiles),
      process.env,
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ctx.reporter.warn(`${err.message} (without --dry-run, up stops here)`);
  }
}

/** `pvestack up <env>`: the environment's application layer on the local Docker engine. */
export function register(program: Command): void {
  program
    .command('up')
    .description("run an environment's application stacks on the local Docker engine (dev = the same stack on a laptop)")
    .argument('<env>', 'environment name or spec file (usually dev)')
    .option('--no-gpu', 'no NVIDIA GPU here: replace vLLM by --cpu-stub-image, or leave it out')
    .option('--cpu-stub-image <image>', 'image serving an OpenAI-compatible API on the vLLM port without a GPU (with --no-gpu)')
    .option('--guest <name...>', 'only these guests (default: all)')
    .option('--wait-timeout <seconds>', 'how long each service may take to become healthy (a healthcheck that allows longer gets that)', '300')
    .option('--dry-run', 'print the commands, write nothing, run nothing')
    .addOption(noChecksOption('start the stacks'))
    .addHelpText(
      'after',
      '\nArtifacts go to <out>/local/<env>/<guest>/<stack>/; secret env files are written there with mode 0600 from the\n' +
        'environment variables the spec names (e.g. PVESTACK_POSTGRES_PASSWORD). Uses `docker compose` when the plugin\n' +
        'exists, else `docker-compose`, against DOCKER_HOST. `pvestack down <env>` stops it and keeps the volumes.',
    )
    .action(
      action(async (ctx, envName: string, opts: UpOptions) => {
        if (opts.cpuStubImage && opts.gpu) throw new UsageError('--cpu-stub-image only applies with --no-gpu', 'Add --no-gpu, or drop --cpu-stub-image.');
        const timeout = Number(opts.waitTimeout);
        if (!Number.isFinite(timeout) || timeout <= 0)
          throw new UsageError(`--wait-timeout must be a positive number of seconds (got ${JSON.stringify(opts.waitTimeout)})`);
        // Load → validate → check before anything is written or started.
        const { resolveSecretValues } = require('../../templates/compose/env-file') as typeof import('../../templates/compose/env-file');
        const { toShell } = require('../../deploy/commands') as typeof import('../../deploy/commands');
        const { detectComposeCli, planLocal, upCommands } = require('../../deploy/local-compose') as typeof import('../../deploy/local-compose');
        const { runUp } = require('../../deploy/local-run') as typeof import('../../deploy/local-run');
        const { requireDockerEngine } = require('../../deploy/local-engine') as typeof import('../../deploy/local-engine');
        const [env] = prepare(ctx, [envName], opts.checks, 'up started nothing').environments as [Environment];
        // The deploy's plan: the same start order and steps a deploy of these stacks takes.
        const plan = planLocal(ctx.global.out ?? 'cdktf.out', env, {
          gpu: opts.gpu,
          ...(opts.cpuStubImage ? { cpuStubImage: opts.cpuStubImage } : {}),
          ...(opts.guest ? { guests: opts.guest } : {}),
          flavor: detectComposeCli(),
        });
        if (!plan.stacks.length) throw new UsageError(`environment ${env.name} has no stacks to run${opts.guest ? ` on ${opts.guest.join(', ')}` : ''}`);
        const o = { healthTimeoutSeconds: timeout };
        if (opts.dryRun) {
          const commands = upCommands(plan, o);
          ctx.reporter.result({ ok: true, dryRun: true, stacks: plan.stacks.map((s) => s.project), commands });
          for (const c of commands) ctx.reporter.info(toShell(c));
          warnMissingSecrets(ctx, env, plan);
          return;
        }
        // Every missing secret is reported at once, before anything is written or started.
        const values = resolveSecretValues(
          env,
          plan.stacks.flatMap((s) => s.stack.secretFiles),
          process.env,
        );
        requireDockerEngine(process.env.DOCKER_HOST);
        const { commands, containers } = runUp(plan, {
          values,
          ...o,
          onStack: (s) =>
            ctx.reporter.info(`starting ${s.project} (${s.plan.release.services.map((x) => x.name).join(', ')}) and waiting for its healthchecks`),
        });
        ctx.reporter.result({ ok: true, environment: env.name, stacks: plan.stacks.map((s) => s.project), commands, containers });
        for (const c of containers) ctx.reporter.info(`  ${c.container.padEnd(40)} ${c.status}${c.health ? ` (${c.health})` : ''}`);
        ctx.reporter.info(`${env.name} is up: ${containers.length} container${containers.length === 1 ? '' : 's'}`);
      }),
    );
}
