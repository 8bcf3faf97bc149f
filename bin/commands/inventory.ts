import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../model/errors';
import { action } from '../command';

/** `pvestack inventory <env>`: the environment's Ansible inventory as static YAML or `--list` JSON. */
export function register(program: Command): void {
  program
    .command('inventory')
    .description('write the Ansible inventory of an environment (static YAML, or the JSON a dynamic inventory prints)')
    .argument('<env>', 'environment name or spec file')
    .option('--format <format>', 'yaml (static inventory) or json (ansible --list form)', 'yaml')
    .addHelpText(
      'after',
      `
Options shared with every command: -o, --out <file> writes the inventory to that file instead of stdout.

Group names use underscores because Ansible allows no hyphens: production-as-planned becomes the
group production_as_planned, node pve-a becomes node_pve_a.

Examples:
  $ pvestack inventory production --out inventory.yml && ansible-inventory -i inventory.yml --graph
  $ PVESTACK_ENV=production ansible-inventory -i ansible-bridge/dynamic-inventory.js --list`,
    )
    .action(
      action((ctx, envName: string, opts: { format: string }) => {
        if (opts.format !== 'yaml' && opts.format !== 'json') throw new UsageError(`unknown --format ${JSON.stringify(opts.format)}`, 'Use yaml or json.');
        const { buildInventory, renderInventoryYaml } = require('../../ansible-bridge/inventory') as typeof import('../../ansible-bridge/inventory');
        const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const env = loadEnvironment(envName);
        const inventory = buildInventory(env);
        const text = opts.format === 'yaml' ? renderInventoryYaml(inventory, env) : `${JSON.stringify(inventory.list, null, 2)}\n`;
        // `--out` is the program-wide option (its default names the synth directory), so only an explicit one counts.
        const file = program.getOptionValueSource('out') === 'cli' ? ctx.global.out : undefined;
        if (file === undefined) {
          process.stdout.write(text);
          return 0;
        }
        fs.writeFileSync(file, text);
        const hosts = Object.keys(inventory.list._meta.hostvars);
        const groups = Object.keys(inventory.list).filter((g) => g !== '_meta' && g !== 'all');
        ctx.reporter.result({ ok: true, environment: env.name, group: inventory.group, file, format: opts.format, hosts, groups });
        ctx.reporter.info(`${env.name}: ${hosts.length} hosts in ${groups.length} groups → ${file} (${opts.format}; environment group ${inventory.group})`);
        return 0;
      }),
    );
}
