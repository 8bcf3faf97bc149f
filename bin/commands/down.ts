import type { Command } from 'commander';
import { action } from '../command';

interface DownOptions {
  readonly volumes?: boolean;
  readonly guest?: string[];
  readonly dryRun?: boolean;
}

/** `pvestack down <env>`: stops what `up` started; volumes stay unless --volumes. */
export function register(program: Command): void {
  program
    .command('down')
    .description('stop the stacks `pvestack up` started; named volumes are kept unless --volumes is given')
    .argument('<env>', 'environment name or spec file')
    .option('--volumes', 'also delete the named volumes (databases, caches): data is lost')
    .option('--guest <name...>', 'only these guests (default: all)')
    .option('--dry-run', 'print the commands, run nothing')
    .action(
      action((ctx, envName: string, opts: DownOptions) => {
        const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const { detectComposeCli, downCommands, planLocal } = require('../../deploy/local-compose') as typeof import('../../deploy/local-compose');
        const { runDown } = require('../../deploy/local-run') as typeof import('../../deploy/local-run');
        const { toShell } = require('../../deploy/commands') as typeof import('../../deploy/commands');
        const { requireDockerEngine } = require('../../deploy/local-engine') as typeof import('../../deploy/local-engine');
        const env = loadEnvironment(envName);
        // Every stack, GPU or not: whichever variant `up` started, the project name is the same.
        // The plan `up` follows, stopped in its reverse start order; the shared network only when all goes.
        const plan = planLocal(ctx.global.out ?? 'cdktf.out', env, { ...(opts.guest ? { guests: opts.guest } : {}), flavor: detectComposeCli() });
        const how = { volumes: opts.volumes, networks: !opts.guest };
        if (opts.dryRun) {
          const commands = downCommands(plan, how);
          ctx.reporter.result({ ok: true, dryRun: true, commands });
          for (const c of commands) ctx.reporter.info(toShell(c));
          return;
        }
        requireDockerEngine(process.env.DOCKER_HOST);
        const stacks = [...plan.stacks].reverse();
        const commands = runDown(plan, { ...how, onStack: (s) => ctx.reporter.info(`stopping ${s.project}`) });
        ctx.reporter.result({ ok: true, environment: env.name, stopped: stacks.map((s) => s.project), commands, volumesDeleted: Boolean(opts.volumes) });
        ctx.reporter.info(`${env.name} is down${opts.volumes ? ' (volumes deleted)' : ' (volumes kept)'}`);
      }),
    );
}
