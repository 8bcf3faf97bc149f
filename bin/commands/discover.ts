/**
 * `pvestack discover --node <name>`: prints a node's facts as a spec fragment (YAML) to paste
 * under `cluster.nodes`, or `--json`. Read-only, with the provider's PROXMOX_VE_* variables.
 */
import type { Command } from 'commander';
import { action } from '../command';

interface DiscoverFlags {
  readonly node: string;
}

export function register(program: Command): void {
  program
    .command('discover')
    .description("print a node's facts (CPU threads, memory, GPUs with ids and IOMMU groups, datastores, ZFS pools) as a spec fragment (read-only)")
    .requiredOption('--node <name>', 'the Proxmox node to describe')
    .addHelpText('after', '\nReads the same PROXMOX_VE_* variables as doctor and the provider; only GET requests are sent.')
    .action(
      action(async (ctx, flags: DiscoverFlags) => {
        // Loaded here: only this verb needs the API client.
        const { ProxmoxClient } = require('../../cluster/client') as typeof import('../../cluster/client');
        const { connectionConfigFrom } = require('../../cluster/config') as typeof import('../../cluster/config');
        const { discoverNode, discoveryJson, renderNodeFragment } = require('../../cluster/discover') as typeof import('../../cluster/discover');
        const client = new ProxmoxClient(connectionConfigFrom(process.env));
        try {
          const found = await discoverNode(client, flags.node);
          ctx.reporter.result(discoveryJson(found));
          // The fragment is the result itself, so --quiet still prints it.
          if (!ctx.global.json) process.stdout.write(renderNodeFragment(found));
          return 0;
        } finally {
          client.close();
        }
      }),
    );
}
