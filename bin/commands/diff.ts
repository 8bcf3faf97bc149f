import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { DiffReport } from '../../diff/index';
import type { Environment } from '../../model';
import { OperationError, PvestackError } from '../../model/errors';
import type { PipelineLog } from '../../pipeline/prepare';
import { action } from '../command';

interface DiffOptions {
  readonly base: string;
  readonly format?: 'terminal' | 'markdown' | 'json';
  readonly report?: string;
  readonly color?: boolean;
}

/** Exit codes of `terraform plan -detailed-exitcode`. */
const EXIT = { same: 0, error: 1, changed: 2 } as const;

/** Progress for humans on stderr, so stdout stays the report (Markdown or JSON) alone. */
type Progress = (line: string) => void;

async function compare(envArgs: readonly string[], opts: DiffOptions, progress: Progress, log: PipelineLog): Promise<DiffReport> {
  const { environmentNames, isSpecPath } = require('../../stacks/registry') as typeof import('../../stacks/registry');
  const { diffEnvironment, diffReport } = require('../../diff/index') as typeof import('../../diff/index');
  const { describeRef, loadBaseEnvironments, repoRoot, synthesizeBase, withWorktree } =
    require('../../diff/io/base-revision') as typeof import('../../diff/io/base-revision');
  const { readSynthesized } = require('../../diff/io/synthesized') as typeof import('../../diff/io/synthesized');
  const { prepareEnvironments } = require('../../pipeline/prepare') as typeof import('../../pipeline/prepare');
  const { synthesizeApp } = require('../../pipeline/synthesize') as typeof import('../../pipeline/synthesize');
  const repo = repoRoot(process.cwd());
  const baseLabel = describeRef(repo, opts.base);
  return withWorktree(repo, opts.base, async (worktree, scratch) => {
    const base = await loadBaseEnvironments(worktree, scratch, envArgs.length ? envArgs : undefined);
    // Without arguments: every environment either revision knows, so added and removed ones show.
    const names = envArgs.length ? [...envArgs] : [...new Set([...environmentNames(), ...base.known])];
    const inHead = (n: string) => (isSpecPath(n) ? fs.existsSync(n) : environmentNames().includes(n));
    const baseOut = path.join(scratch, 'base-out');
    progress(`synthesizing ${baseLabel} in a temporary worktree ...`);
    await synthesizeBase(
      worktree,
      names.filter((n) => base.envs.has(n)),
      baseOut,
    );
    const headNames = names.filter(inHead);
    // The pipeline with the checks reporting, not refusing: a diff exists to show a dangerous change.
    const prepared = prepareEnvironments(headNames, { checks: 'report', skipSwitch: '--no-checks', refusal: 'diff compared nothing', log });
    const headEnvs = new Map<string, Environment>(headNames.map((n, i) => [n, prepared.environments[i]!] as const));
    const headOut = path.join(scratch, 'head-out');
    progress('synthesizing the working tree ...');
    // As `pvestack synth` does: Terraform JSON and the rendered stack artifacts.
    synthesizeApp(prepared, { outdir: headOut });
    const diffs = names.map((name) => {
      const baseEnv = base.envs.get(name);
      const headEnv = headEnvs.get(name);
      const b = baseEnv ? readSynthesized(baseOut, baseEnv.name) : { artifacts: new Map<string, string>() };
      const h = headEnv ? readSynthesized(headOut, headEnv.name) : { artifacts: new Map<string, string>() };
      return diffEnvironment({
        environment: headEnv?.name ?? baseEnv?.name ?? name,
        base: { ...b, ...(baseEnv ? { env: baseEnv } : {}) },
        head: { ...h, ...(headEnv ? { env: headEnv } : {}) },
      });
    });
    return diffReport(baseLabel, 'working tree', diffs);
  });
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('compare the environments of the working tree with a base git revision: resources, data at risk, firewall flows, app stacks')
    .argument('[env...]', 'environment names or spec files (default: every registered environment)')
    // commander lists required options with the others; say it, and put it in the usage line.
    .usage('--base <ref> [options] [env...]')
    .requiredOption('--base <ref>', 'git ref to compare against, e.g. origin/main (required)')
    .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'markdown', 'json']).default('terminal'))
    .option('--report <file>', 'also write the JSON report to this file (for CI: one synth, two outputs)')
    .option('--no-color', 'no ANSI colours in the terminal view (also when NO_COLOR is set or stdout is not a TTY)')
    .addHelpText(
      'after',
      `
Exit codes (as terraform plan -detailed-exitcode): 0 no changes, 2 changes, 1 error.

Examples:
  $ pvestack diff --base origin/main                       coloured summary of every environment
  $ pvestack diff production --base origin/main --format markdown > comment.md
  $ pvestack diff staging --base HEAD~1 --json | jq .destroysStateful`,
    )
    .action(
      action(async (ctx, envs: string[], opts: DiffOptions) => {
        let report: DiffReport;
        try {
          const progress: Progress = ctx.global.quiet || ctx.global.json ? () => {} : (line) => process.stderr.write(`${line}\n`);
          report = await compare(envs, opts, progress, { info: () => {}, warn: (line) => ctx.reporter.warn(line) });
        } catch (err) {
          // Every failure is exit 1 here: exit 2 means "changes" for this command.
          throw new OperationError(err instanceof PvestackError ? err.format() : `diff failed: ${(err as Error)?.message ?? String(err)}`);
        }
        const { renderMarkdown, renderTerminal } = require('../../diff/index') as typeof import('../../diff/index');
        if (opts.report) fs.writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
        const format = ctx.global.json ? 'json' : (opts.format ?? 'terminal');
        if (format === 'json') process.stdout.write(`${JSON.stringify({ ok: true, ...report }, null, 2)}\n`);
        else if (format === 'markdown') process.stdout.write(renderMarkdown(report));
        else {
          const color = opts.color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
          process.stdout.write(renderTerminal(report, { color }));
        }
        return report.hasChanges ? EXIT.changed : EXIT.same;
      }),
    );
}
