import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { action, noChecksOption, prepare } from '../command';

export function register(program: Command): void {
  program
    .command('synth')
    .description('synthesize Terraform JSON (and rendered artifacts) for environments, in-process')
    .argument('[env...]', 'environment names or spec files (default: every registered environment)')
    .addHelpText('after', '\nThe output is what `cdktf synth` writes: cdktf.out/stacks/<env>/cdk.tf.json, applied by `cdktf deploy <env>`.')
    .addOption(noChecksOption('write the output'))
    .action(
      action((ctx, envs: string[], opts: { checks: boolean }) => {
        const { environmentNames } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const { synthesizeApp } = require('../../pipeline/synthesize') as typeof import('../../pipeline/synthesize');
        const started = Date.now();
        const names = envs.length ? envs : environmentNames();
        // Refuses to write anything while an unsuppressed error remains.
        const result = synthesizeApp(prepare(ctx, names, opts.checks, 'synth wrote nothing'), { outdir: ctx.global.out });
        // synthesizeApp also rendered each guest's stack artifacts under stacks/<env>/artifacts/.
        const summary = result.stacks.map((s) => {
          const doc = JSON.parse(fs.readFileSync(s.file, 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
          const resources = Object.fromEntries(
            Object.entries(doc.resource ?? {})
              .map(([type, byName]) => [type, Object.keys(byName).length] as const)
              .sort(([a], [b]) => a.localeCompare(b)),
          );
          const guestsPerNode: Record<string, string[]> = {};
          for (const g of s.env.guests) (guestsPerNode[g.node ?? '(external)'] ??= []).push(g.name);
          return { environment: s.env.name, file: path.relative(process.cwd(), s.file), guestsPerNode, resources };
        });
        ctx.reporter.result({ ok: true, outdir: result.outdir, stacks: summary });
        for (const s of summary) {
          ctx.reporter.info(`${s.environment}: ${s.file}`);
          for (const [node, guests] of Object.entries(s.guestsPerNode)) ctx.reporter.info(`  ${node.padEnd(12)} ${guests.join(', ')}`);
          const total = Object.values(s.resources).reduce((a, b) => a + b, 0);
          ctx.reporter.info(
            `  ${total} resources: ${Object.entries(s.resources)
              .map(([t, n]) => `${n} ${t}`)
              .join(', ')}`,
          );
        }
        ctx.reporter.info(`synthesized ${summary.length} environment${summary.length === 1 ? '' : 's'} in ${Date.now() - started} ms`);
      }),
    );
}
