/** The `pvestack` command line: global options and one registered file per verb. */
import * as fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { packagePath } from '../model/package-root';
import { COMMANDS } from './commands';
import { addHelpExamples } from './help-examples';

export function buildProgram(): Command {
  const program = new Command('pvestack')
    .description(
      'Typed Proxmox VE environments for self-hosted AI web apps: synthesize Terraform JSON, render ' +
        'cloud-init and compose files, check the plan before it is applied, and deploy the app stacks.',
    )
    .version((JSON.parse(fs.readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version)
    .option('--json', 'print machine-readable JSON on stdout (messages go to stderr)')
    .option('-q, --quiet', 'print only warnings and errors')
    .option('-o, --out <dir>', 'output directory for synthesized stacks', 'cdktf.out')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 failure (checks failed, deploy failed), 2 user error (bad spec or flags).

Examples:
  $ pvestack list                                  environments and their guests
  $ pvestack check production                      preflight checks, in well under a second
  $ pvestack synth production                      cdktf.out/stacks/production/{cdk.tf.json,artifacts/}
  $ pvestack validate production --json            the synthesized JSON against the provider schema
  $ pvestack diff --base origin/main --format markdown   the PR comment
  $ pvestack deploy staging --dry-run              what a deploy would run and ship (secrets masked)

Environments are registered names (see list) or spec files (YAML, JSON or TypeScript).
Run 'pvestack <command> --help' for the options of one command.`,
    );
  for (const register of COMMANDS) register(program);
  addHelpExamples(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  process.env.CHECKPOINT_DISABLE ??= '1';
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes are user errors.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}
