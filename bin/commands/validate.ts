import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ProviderSchemaDocument, SchemaFinding } from '../../providers/proxmox/schema-validator';
import type { TerraformValidateResult } from '../../providers/proxmox/terraform-validate';
import { packagePath } from '../../model/package-root';
import { action, noChecksOption, prepare } from '../command';

const SCHEMA_FILE = packagePath('providers', 'proxmox', 'schema.json');

/** One environment's verdict, as `--json` prints it. */
export interface EnvironmentValidation {
  readonly environment: string;
  readonly file: string;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly SchemaFinding[];
  readonly terraform: TerraformValidateResult;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description("synthesize, then check each stack's cdk.tf.json against the pinned bpg/proxmox schema (offline)")
    .argument('[env...]', 'environment names or spec files (default: every registered environment)')
    .option('--no-terraform', 'do not also run tofu/terraform init + validate when one is on PATH')
    .addOption(noChecksOption('validate'))
    .addHelpText(
      'after',
      '\nFindings name a JSON pointer into cdk.tf.json and the construct that wrote the resource.\n' +
        'When tofu or terraform is on PATH and can install the provider, its `validate` runs too;\n' +
        'when it cannot (no registry access), that step is skipped with one line. Exit 1 on any error.',
    )
    .action(
      action(async (ctx, envs: string[], opts: { terraform: boolean; checks: boolean }) => {
        const { PROVIDER_SOURCE, PROVIDER_VERSION } = require('../../providers/proxmox') as typeof import('../../providers/proxmox');
        const { validateTerraformJson } = require('../../providers/proxmox/schema-validator') as typeof import('../../providers/proxmox/schema-validator');
        const { runTerraformValidate } = require('../../providers/proxmox/terraform-validate') as typeof import('../../providers/proxmox/terraform-validate');
        const { environmentNames } = require('../../stacks/registry') as typeof import('../../stacks/registry');
        const { synthesizeApp } = require('../../pipeline/synthesize') as typeof import('../../pipeline/synthesize');
        const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as ProviderSchemaDocument;
        const prepared = prepare(ctx, envs.length ? envs : environmentNames(), opts.checks, 'validate synthesized nothing');
        const result = synthesizeApp(prepared, { outdir: ctx.global.out });
        const environments: EnvironmentValidation[] = [];
        for (const stack of result.stacks) {
          const findings = validateTerraformJson(JSON.parse(fs.readFileSync(stack.file, 'utf8')), schema);
          const terraform: TerraformValidateResult = opts.terraform
            ? await runTerraformValidate(stack.dir)
            : { status: 'skipped', detail: 'skipped: --no-terraform', diagnostics: [] };
          environments.push({
            environment: stack.env.name,
            file: path.relative(process.cwd(), stack.file),
            errors: findings.filter((f) => f.severity === 'error').length,
            warnings: findings.filter((f) => f.severity === 'warning').length,
            findings,
            terraform,
          });
        }
        const ok = environments.every((e) => e.errors === 0 && e.terraform.status !== 'failed');
        ctx.reporter.result({ ok, environments });
        if (!ctx.global.json) for (const e of environments) printEnvironment(e, !!ctx.global.quiet);
        const errors = environments.reduce((n, e) => n + e.errors, 0);
        const warnings = environments.reduce((n, e) => n + e.warnings, 0);
        const failed = environments.filter((e) => e.errors > 0 || e.terraform.status === 'failed').length;
        const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
        const verdict = ok
          ? `valid: ${environments.length} environment${environments.length === 1 ? '' : 's'} against ${PROVIDER_SOURCE} ${PROVIDER_VERSION} (${counts})`
          : `invalid: ${failed} of ${environments.length} environment${environments.length === 1 ? '' : 's'} (${counts})`;
        if (!ctx.global.json) process.stdout.write(`${verdict}\n`);
        return ok ? 0 : 1;
      }),
    );
}

/** Findings are printed even with --quiet: they are the warnings and errors. */
function printEnvironment(e: EnvironmentValidation, quiet: boolean): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!quiet || e.findings.length > 0) out(`${e.environment}  ${e.file}`);
  for (const f of e.findings) {
    out(`  ${f.severity.padEnd(7)} ${f.code}  ${f.pointer}`);
    out(`          ${f.constructPath ? `${f.constructPath}: ` : ''}${f.message}`);
    out(`          hint: ${f.hint}`);
  }
  for (const d of e.terraform.diagnostics) out(`  ${d.severity.padEnd(7)} terraform  ${d.location ?? ''}  ${d.summary}${d.detail ? `: ${d.detail}` : ''}`);
  if (!quiet || e.terraform.status === 'failed') out(`  terraform: ${e.terraform.detail}`);
}
