import * as fs from 'node:fs';
import * as path from 'node:path';
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
        const { COMPOSE_FILE } = require('../../templates/render') as typeof import('../../templates/render');
        const { composeDown, detectComposeCli, downCommands, networkRemoveArgv, planLocal, spawnRunner, writeLocalStack } =
          require('../../deploy/local-compose') as typeof import('../../deploy/local-compose');
        const { toShell } = require('../../deploy/commands') as typeof import('../../deploy/commands');
        const { requireDockerEngine } = require('../../deploy/local-engine') as typeof import('../../deploy/local-engine');
        const env = loadEnvironment(envName);
        // Every stack, GPU or not: whichever variant `up` started, the project name is the same.
        // The plan `up` follows, stopped in its reverse start order.
        const plan = planLocal(ctx.global.out ?? 'cdktf.out', env, { ...(opts.guest ? { guests: opts.guest } : {}), flavor: detectComposeCli() });
        const stacks = [...plan.stacks].reverse();
        const networks = [...new Set(plan.stacks.flatMap((s) => s.plan.release.externalNetworks))];
        if (opts.dryRun) {
          const commands = downCommands(plan, { volumes: opts.volumes, networks: !opts.guest });
          ctx.reporter.result({ ok: true, dryRun: true, commands });
          for (const c of commands) ctx.reporter.info(toShell(c));
          return;
        }
        requireDockerEngine(process.env.DOCKER_HOST);
        for (const s of stacks) {
          // compose needs the file (and its env files, possibly empty) to know the project's services.
          if (!fs.existsSync(path.join(s.dir, COMPOSE_FILE))) writeLocalStack(s);
          else writeLocalStack({ ...s, stack: { ...s.stack, files: [] } });
          ctx.reporter.info(`stopping ${s.project}`);
          composeDown(plan.flavor, s, { volumes: opts.volumes });
        }
        // The shared network goes too when nothing else uses it; failure to remove it is harmless.
        if (!opts.guest) for (const n of networks) spawnRunner(networkRemoveArgv(n));
        ctx.reporter.result({ ok: true, environment: env.name, stopped: stacks.map((s) => s.project), volumesDeleted: Boolean(opts.volumes) });
        ctx.reporter.info(`${env.name} is down${opts.volumes ? ' (volumes deleted)' : ' (volumes kept)'}`);
      }),
    );
}
