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
        const { COMPOSE_FILE, sharedNetworkName } = require('../../templates/render') as typeof import('../../templates/render');
        const { composeDown, composeDownArgv, detectComposeCli, networkRemoveArgv, planLocal, spawnRunner, writeLocalStack } =
          require('../../deploy/local-compose') as typeof import('../../deploy/local-compose');
        const { requireDockerEngine } = require('../../deploy/local-engine') as typeof import('../../deploy/local-engine');
        const env = loadEnvironment(envName);
        // Every stack, GPU or not: whichever variant `up` started, the project name is the same.
        const stacks = planLocal(ctx.global.out ?? 'cdktf.out', env, opts.guest ? { guests: opts.guest } : {}).reverse();
        const cli = detectComposeCli();
        const network = sharedNetworkName(env);
        if (opts.dryRun) {
          const commands = [...stacks.map((s) => composeDownArgv(cli, s, { volumes: opts.volumes })), ...(opts.guest ? [] : [networkRemoveArgv(network)])];
          ctx.reporter.result({ ok: true, dryRun: true, commands });
          for (const c of commands) ctx.reporter.info(c.join(' '));
          return;
        }
        requireDockerEngine(process.env.DOCKER_HOST);
        for (const s of stacks) {
          // compose needs the file (and its env files, possibly empty) to know the project's services.
          if (!fs.existsSync(path.join(s.dir, COMPOSE_FILE))) writeLocalStack(s);
          else writeLocalStack({ ...s, stack: { ...s.stack, files: [] } });
          ctx.reporter.info(`stopping ${s.project}`);
          composeDown(cli, s, { volumes: opts.volumes });
        }
        // The shared network goes too when nothing else uses it; failure to remove it is harmless.
        if (!opts.guest) spawnRunner(networkRemoveArgv(network));
        ctx.reporter.result({ ok: true, environment: env.name, stopped: stacks.map((s) => s.project), volumesDeleted: Boolean(opts.volumes) });
        ctx.reporter.info(`${env.name} is down${opts.volumes ? ' (volumes deleted)' : ' (volumes kept)'}`);
      }),
    );
}
