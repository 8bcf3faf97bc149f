import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import type { Environment } from '../../model';
import { renderDot } from '../../graph/dot';
import { renderMermaid } from '../../graph/mermaid';
import { OperationError } from '../../model/errors';
import { action } from '../command';

interface GraphOptions {
  readonly format: 'markdown' | 'mermaid' | 'dot' | 'svg';
  readonly file?: string;
  readonly output?: string;
}

/** The diagram in the chosen format; `markdown` fences the Mermaid text so it renders where pasted. */
export function renderGraph(env: Environment, format: GraphOptions['format']): string {
  if (format === 'markdown') return `\`\`\`mermaid\n${renderMermaid(env).replace(/\n?$/, '\n')}\`\`\`\n`;
  if (format === 'mermaid') return renderMermaid(env);
  return format === 'dot' ? renderDot(env) : toSvg(renderDot(env));
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
    .addOption(
      new Option(
        '--format <format>',
        'markdown: a ```mermaid block to paste into a README, issue or PR; mermaid: the bare diagram (.mmd); dot; svg (needs Graphviz)',
      )
        .choices(['markdown', 'mermaid', 'dot', 'svg'])
        .default('markdown'),
    )
    // --file, like diff --report and deploy --env-file: the global -o/--out names the synth directory.
    .option('--file <file>', 'write to this file instead of stdout')
    .addOption(new Option('--output <file>').hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n  $ pvestack graph production                                    fenced Mermaid, paste into Markdown (GitHub renders it)\n  $ pvestack graph production --format mermaid --file prod.mmd   the bare diagram for mermaid-cli\n  $ pvestack graph production --format svg --file production.svg',
    )
    .action(
      action((ctx, name: string, opts: GraphOptions) => {
        const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const env = loadEnvironment(name);
        const text = renderGraph(env, opts.format);
        // --output is the earlier spelling of --file, still accepted.
        const file = opts.file ?? opts.output;
        if (file) {
          fs.writeFileSync(file, text);
          ctx.reporter.result({ ok: true, environment: env.name, format: opts.format, file });
          ctx.reporter.info(`wrote ${file}`);
        } else if (ctx.global.json) ctx.reporter.result({ ok: true, environment: env.name, format: opts.format, text });
        else process.stdout.write(text);
      }),
    );
}
