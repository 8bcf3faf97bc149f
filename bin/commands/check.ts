/**
 * `pvestack check [env...]`: the preflight checks. Text report grouped by guest (errors first) and
 * a one-line verdict per environment, or `--json` (shape documented in checks/README.md).
 * Exit 0 when no unsuppressed error remains, 1 when one does, 2 when a spec is invalid.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CheckReport } from '../../checks';
import { action } from '../command';

interface CheckFlags {
  readonly synthesized?: boolean;
  readonly rules?: boolean;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('run the preflight checks (capacity, GPU and model fit, addressing, firewall, secrets, data safety)')
    .argument('[env...]', 'environment names or spec files (default: every registered environment)')
    .option('--synthesized', 'also check the synthesized output in <out>/stacks/<env>/ (secrets in output, protection, q35/OVMF)')
    .option('--rules', 'list the rules (id, severity, title) and exit')
    .addHelpText(
      'after',
      '\nExit codes: 0 no unsuppressed errors, 1 errors remain, 2 invalid spec or usage.\nSuppress a finding next to what it is about: guest.suppressions: [{ rule, reason }], or checks.suppressions: [{ rule, path?, reason }].',
    )
    .action(
      action((ctx, envs: string[], flags: CheckFlags) => {
        const { checkResultJson, formatReportText, ruleCatalog, runChecks } = require('../../checks') as typeof import('../../checks');
        const { loadEnvironments } = require('../../pipeline/prepare') as typeof import('../../pipeline/prepare');
        const { environmentNames } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        if (flags.rules) {
          const rules = ruleCatalog().map((r) => ({ id: r.id, family: r.family, severity: r.severity, title: r.title }));
          ctx.reporter.result({ rules });
          for (const r of rules) ctx.reporter.info(`${r.id.padEnd(13)} ${r.severity.padEnd(8)} ${r.title}`);
          return 0;
        }
        const names = envs.length ? envs : environmentNames();
        const started = performance.now();
        // The pipeline's load → validate stage; this verb is its check stage, reported in full.
        const reports: CheckReport[] = loadEnvironments(names).map((env) => {
          return runChecks(env, flags.synthesized ? { synthDir: path.join(ctx.global.out ?? 'cdktf.out', 'stacks', env.name) } : {});
        });
        const elapsed = performance.now() - started;
        ctx.reporter.result(checkResultJson(reports));
        if (ctx.global.quiet && !ctx.global.json) {
          // --quiet still shows what must be fixed: errors, warnings and the verdicts.
          process.stdout.write(`${reports.map((r) => formatReportText(r, { minSeverity: 'warning', showSuppressed: false })).join('\n\n')}\n`);
        }
        ctx.reporter.info(reports.map((r) => formatReportText(r)).join('\n\n'));
        ctx.reporter.info(`checked ${names.length} environment${names.length === 1 ? '' : 's'} in ${Math.round(elapsed)} ms`);
        return reports.every((r) => r.ok) ? 0 : 1;
      }),
    );
}
