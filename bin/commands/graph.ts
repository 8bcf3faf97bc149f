import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { OperationError } from '../../model';
import { renderDot } from '../../graph/dot';
import { renderMermaid } from '../../graph/mermaid';
import { loadEnvironment } from '../../stacks/registry';
import { action } from '../command';

interface GraphOptions {
  readonly format: 'mermaid' | 'dot' | 'svg';
  readonly output?: string;
}

/** Renders DOT to SVG with Graphviz; a missing `dot` is an operation error with the fix. */
function toSvg(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  if (r.error) throw new OperationError('Graphviz `dot` is not installed', 'Install graphviz (apt-get install graphviz), or use --format mermaid');
  if (r.status !== 0) throw new OperationError(`dot -Tsvg failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw an environment: Proxmox nodes with their load, guests, ZFS pools, Storage Boxes and the allowed flows')
    .argument('<env>', 'environment name or spec file')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'svg']).default('mermaid'))
    .option('--output <file>', 'write to a file instead of stdout')
    .addHelpText('after', '\nExamples:\n  $ pvestack graph production                       Mermaid, paste into Markdown\n  $ pvestack graph production --format svg --output production.svg')
    .action(
      action((ctx, name: string, opts: GraphOptions) => {
        const env = loadEnvironment(name);
        const text = opts.format === 'mermaid' ? renderMermaid(env) : opts.format === 'dot' ? renderDot(env) : toSvg(renderDot(env));
        if (opts.output) {
          fs.writeFileSync(opts.output, text);
          ctx.reporter.result({ ok: true, environment: env.name, format: opts.format, file: opts.output });
          ctx.reporter.info(`wrote ${opts.output}`);
        } else if (ctx.global.json) ctx.reporter.result({ ok: true, environment: env.name, format: opts.format, text });
        else process.stdout.write(text);
      }),
    );
}
