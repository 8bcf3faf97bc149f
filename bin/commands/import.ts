/**
 * `pvestack import <env> [--node ...] [--vmid ...] [--write <file>]`: adopts guests made by hand.
 * Prints a spec fragment for them (YAML, with a comment on every setting the model cannot express
 * and every attribute the first apply would change); with `--write`, merges it into the
 * environment's YAML spec. Adopted guests carry `adopt: true`, so synth writes Terraform `import`
 * blocks and `cdktf deploy` adopts them instead of creating anything. Read-only on the cluster.
 */
import type { Command } from 'commander';
import { action } from '../command';

interface ImportFlags {
  readonly node?: string[];
  readonly vmid?: string[];
  readonly write?: string;
}

export function register(program: Command): void {
  program
    .command('import')
    .description(
      'adopt guests that exist on the cluster: a spec fragment for them (and Terraform import blocks at synth) instead of recreating them (read-only)',
    )
    .argument('<env>', 'environment name or spec file the guests join')
    .option('--node <name...>', 'only guests on these nodes')
    .option('--vmid <id...>', 'only these VM ids')
    .option('--write <file>', "merge into the environment's YAML spec and write it here (may be the spec file itself)")
    .addHelpText(
      'after',
      '\nReads the same PROXMOX_VE_* variables as doctor; only GET requests are sent. Then: pvestack check, pvestack diff (adopted guests show as "import"), cdktf deploy.',
    )
    .action(
      action(async (ctx, envName: string, flags: ImportFlags) => {
        // Loaded here: only this verb needs the API client.
        const { importGuests } = require('../../cluster/import/run') as typeof import('../../cluster/import/run');
        const { loadEnvironments } = require('../../pipeline') as typeof import('../../pipeline');
        const { UsageError } = require('../../model') as typeof import('../../model');
        const vmids = (flags.vmid ?? []).map((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 100) throw new UsageError(`--vmid ${v} is not a VM id`, 'Give whole numbers from 100 up, e.g. --vmid 100 101.');
          return n;
        });
        const [env] = loadEnvironments([envName]);
        const run = await importGuests(env!, {
          ...(flags.node ? { nodes: flags.node } : {}),
          ...(vmids.length ? { vmids } : {}),
          ...(flags.write ? { writeTo: flags.write } : {}),
        });
        const { plan } = run;
        ctx.reporter.result({
          environment: plan.env.name,
          guests: plan.guests.map((g) => ({
            vmid: g.vmid,
            node: g.node,
            kind: g.kind,
            name: g.spec.name,
            importId: `${g.node}/${g.vmid}`,
            spec: g.spec,
            notes: g.notes,
            changes: g.changes,
          })),
          skipped: plan.skipped,
          networks: plan.networks,
          gpus: plan.gpus,
          ...(flags.write ? { written: flags.write } : {}),
        });
        if (ctx.global.json) return 0;
        if (flags.write)
          ctx.reporter.info(`wrote ${flags.write}: ${plan.guests.length} adopted guest${plan.guests.length === 1 ? '' : 's'} merged into ${plan.env.source}`);
        else process.stdout.write(run.fragment);
        for (const g of plan.guests) {
          process.stderr.write(
            `adopt ${g.node}/${g.vmid} (${g.kind} ${g.clusterName}) as ${String(g.spec.name)}${g.changes.length ? `; the first apply changes ${g.changes.map((c) => c.attribute).join(', ')}` : ''}\n`,
          );
        }
        for (const s of plan.skipped) process.stderr.write(`skip ${s.node}/${s.vmid} ${s.name}: ${s.reason}\n`);
        return 0;
      }),
    );
}
