import type { Command } from 'commander';
import { action, noChecksOption, prepare } from '../command';

/** `pvestack render <env...>`: every stack artifact of every guest, without Terraform. */
export function register(program: Command): void {
  program
    .command('render')
    .description('render the application stacks (compose.yaml, nginx.conf, postgresql.conf, ...) of environments')
    .argument('[env...]', 'environment names or spec files (default: every registered environment)')
    .addOption(noChecksOption('render'))
    .addHelpText(
      'after',
      '\nWrites <out>/stacks/<env>/artifacts/<guest>/<stack>/: compose.yaml, the configuration files it mounts, and\n' +
        'secrets/<service>.env.example templates (variable names only; the deployer writes the values). `synth` does this too.',
    )
    .action(
      action((ctx, envs: string[], opts: { checks: boolean }) => {
        const { renderArtifacts } = require('../../pipeline/artifacts') as typeof import('../../pipeline/artifacts');
        const { environmentNames } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const prepared = prepare(ctx, envs.length ? envs : environmentNames(), opts.checks, 'render wrote nothing');
        const written = renderArtifacts(prepared, ctx.global.out ?? 'cdktf.out');
        ctx.reporter.result({ ok: true, environments: written });
        for (const w of written) {
          ctx.reporter.info(`${w.env}: ${w.dir}`);
          for (const s of w.stacks) ctx.reporter.info(`  ${s.guest.padEnd(14)} ${s.stack.padEnd(16)} ${s.files.length} file${s.files.length === 1 ? '' : 's'}`);
        }
      }),
    );
}
