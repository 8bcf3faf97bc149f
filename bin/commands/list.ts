import type { Command } from 'commander';
import { action } from '../command';

export function register(program: Command): void {
  program
    .command('list')
    .description('list the environments and their guests')
    .action(
      action((ctx) => {
        const { environmentNames, isBrokenOnPurpose, loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const rows = environmentNames({ includeBroken: true }).map((name) => {
          const env = loadEnvironment(name);
          return {
            name,
            brokenOnPurpose: isBrokenOnPurpose(name),
            description: env.description ?? '',
            guests: env.guests.map((g) => ({
              name: g.name,
              kind: g.kind,
              role: g.role,
              node: g.node ?? null,
              ipv4: g.ipv4,
              cores: g.cores,
              memoryGib: g.memoryGib,
              gpus: g.gpus,
            })),
          };
        });
        ctx.reporter.result({ environments: rows });
        for (const env of rows) {
          ctx.reporter.info(
            `${env.name}${env.brokenOnPurpose ? ' [broken on purpose: proves the checks]' : ''}  (${env.guests.length} guest${env.guests.length === 1 ? '' : 's'})  ${env.description}`,
          );
          for (const g of env.guests) {
            ctx.reporter.info(
              `  ${g.name.padEnd(14)} ${g.kind.padEnd(8)} ${g.role.padEnd(10)} ${(g.node ?? '-').padEnd(8)} ${g.ipv4.padEnd(15)} ${g.cores} vCPU ${g.memoryGib} GiB${g.gpus.length ? `  gpu: ${g.gpus.join(', ')}` : ''}`,
            );
          }
        }
      }),
    );
}
