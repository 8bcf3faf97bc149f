/**
 * `pvestack init [name]`: scaffolds a new environment (YAML or TypeScript) that passes `check`,
 * from flags, or by asking on a terminal for what the flags leave out.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { action, type CommandContext } from '../command';

interface InitFlags {
  readonly format?: 'yaml' | 'ts';
  readonly file?: string;
  readonly nodes?: string;
  readonly gpus?: string;
  readonly gpuModel?: string;
  readonly gpuVram?: string;
  readonly model?: string;
  readonly stacks?: string;
  readonly cidr?: string;
  readonly adminCidr?: string;
  readonly sshKey?: string;
  readonly domain?: string;
  readonly force?: boolean;
  readonly yes?: boolean;
}

/** `--ssh-key` is a key line or a .pub file; without it, the user's own ~/.ssh/*.pub. */
function sshKeyOf(given: string | undefined): string | undefined {
  const read = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n')[0]!;
  if (given) return fs.existsSync(given) ? read(given) : given;
  for (const name of ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']) {
    const file = path.join(os.homedir(), '.ssh', name);
    if (fs.existsSync(file)) return read(file);
  }
  return undefined;
}

/** Asks for the values the flags left out, on a terminal only; CI and scripts get the defaults. */
async function ask(flags: InitFlags, name: string | undefined): Promise<{ flags: InitFlags; name: string | undefined }> {
  if (flags.yes || !process.stdin.isTTY || !process.stdout.isTTY) return { flags, name };
  const readline = await import('node:readline');
  const { UsageError } = require('../../model') as typeof import('../../model');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  // Lines are read through one iterator, so answers typed (or pasted) ahead are queued, not lost.
  const lines = rl[Symbol.asyncIterator]();
  const q = async (question: string, current: string | undefined, fallback: string): Promise<string> => {
    if (current !== undefined) return current;
    process.stdout.write(`${question} [${fallback}] `);
    const line = await lines.next();
    if (line.done)
      throw new UsageError('init stopped: the input ended before every question was answered', 'Answer the questions, or pass the values as flags with --yes.');
    return String(line.value).trim() || fallback;
  };
  try {
    const answered = await q('Environment name (lowercase, becomes the output directory)?', name, 'lab');
    const format = (await q('Format: yaml or ts?', flags.format, 'yaml')) as 'yaml' | 'ts';
    const nodes = await q('How many Proxmox nodes?', flags.nodes, '1');
    const gpus = await q('GPUs in the first node (0 for none)?', flags.gpus, '0');
    const stacks = await q('Stacks (web, postgres, redis, vllm)?', flags.stacks, Number(gpus) > 0 ? 'web,postgres,vllm' : 'web,postgres');
    const model = stacks.includes('vllm') ? await q('Model vLLM serves (Hugging Face id)?', flags.model, 'Qwen/Qwen2.5-7B-Instruct') : flags.model;
    const sshKey = await q('Admin SSH public key (a .pub file or the key line)?', flags.sshKey, path.join(os.homedir(), '.ssh', 'id_ed25519.pub'));
    return { name: answered, flags: { ...flags, format, nodes, gpus, stacks, ...(model ? { model } : {}), sshKey } };
  } finally {
    rl.close();
  }
}

async function run(ctx: CommandContext, nameArg: string | undefined, given: InitFlags): Promise<number> {
  const { UsageError } = require('../../model') as typeof import('../../model');
  const { SCAFFOLD_STACKS } = require('../../scaffold/environment') as typeof import('../../scaffold/environment');
  const { writeScaffold } = require('../../scaffold/init') as typeof import('../../scaffold/init');
  const { flags, name } = await ask(given, nameArg);
  if (!name) throw new UsageError('init needs a name for the environment', 'Run pvestack init <name>, e.g. pvestack init lab.');
  const gpus = Number(flags.gpus ?? '0');
  const stacks = (flags.stacks ?? (gpus > 0 ? 'web,postgres,vllm' : 'web,postgres'))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = stacks.filter((s) => !(SCAFFOLD_STACKS as readonly string[]).includes(s));
  if (unknown.length)
    throw new UsageError(
      `--stacks names ${unknown.map((s) => JSON.stringify(s)).join(', ')}, which init does not lay out`,
      `Use some of: ${SCAFFOLD_STACKS.join(', ')}.`,
    );
  const sshKey = sshKeyOf(flags.sshKey);
  if (!sshKey)
    throw new UsageError('init needs an admin SSH public key and found none in ~/.ssh', 'Pass --ssh-key ~/.ssh/id_ed25519.pub (or the key line itself).');
  const file = writeScaffold({
    name,
    format: flags.format ?? 'yaml',
    ...(flags.file ? { file: flags.file } : {}),
    nodes: Number(flags.nodes ?? '1'),
    gpus,
    ...(flags.gpuModel ? { gpuModel: flags.gpuModel } : {}),
    ...(flags.gpuVram ? { gpuVramGib: Number(flags.gpuVram) } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    stacks: stacks as (typeof SCAFFOLD_STACKS)[number][],
    ...(flags.cidr ? { cidr: flags.cidr } : {}),
    ...(flags.adminCidr ? { adminCidr: flags.adminCidr } : {}),
    sshKey,
    ...(flags.domain ? { domain: flags.domain } : {}),
    force: Boolean(flags.force),
  });
  // What check says about the file as written, through the same loader every verb uses.
  const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
  const { runChecks, formatReportText, verdictLine } = require('../../checks') as typeof import('../../checks');
  const report = runChecks(loadEnvironment(file));
  ctx.reporter.result({ ok: report.ok, file, environment: report.environment, check: { ok: report.ok, counts: report.counts } });
  ctx.reporter.info(`wrote ${file}`);
  ctx.reporter.info(report.ok ? `checks ${verdictLine(report)}` : formatReportText(report, { minSeverity: 'warning' }));
  ctx.reporter.info(
    `next: read the comments in ${file}, replace the example values (image, host names, Storage Box account, GPU ids), then run pvestack check ${file}`,
  );
  return report.ok ? 0 : 1;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('scaffold a new environment (YAML or TypeScript) that passes check, with comments on what to set next')
    .argument('[name]', 'environment name: lowercase letters, digits and hyphens (asked on a terminal when left out)')
    .addOption(new Option('--format <format>', 'spec file format').choices(['yaml', 'ts']))
    .option('--file <file>', 'where to write it (default: envs/<name>.yaml or envs/<name>.ts)')
    .option('--nodes <n>', 'Proxmox nodes, named pve1..pveN (default 1)')
    .option('--gpus <n>', 'GPUs in the first node for passthrough (default 0)')
    .option('--gpu-model <model>', 'GPU model name (default NVIDIA RTX 4090)')
    .option('--gpu-vram <GiB>', 'VRAM of each GPU (default 24)')
    .option('--model <id>', 'Hugging Face model vLLM serves (default Qwen/Qwen2.5-7B-Instruct)')
    .option('--stacks <list>', 'comma-separated: web (nginx + Next.js), postgres, redis, vllm (default web,postgres, plus vllm with GPUs)')
    .option('--cidr <cidr>', "the guests' private network (default 10.20.0.0/24)")
    .option('--admin-cidr <cidr>', 'where admins connect from (default: the private network)')
    .option('--ssh-key <key-or-file>', 'admin SSH public key line or .pub file (default ~/.ssh/id_ed25519.pub)')
    .option('--domain <name>', 'public host name the proxy serves (default app.example.org)')
    .option('--force', 'replace the file if it exists')
    .option('-y, --yes', 'never ask; use the defaults for what the flags leave out')
    .addHelpText(
      'after',
      '\nIn your own infrastructure repository, install pvestack first (npm install --save-dev <path or git URL of pvestack>;\n' +
        'README: "Your own infrastructure repository");\n' +
        "a TypeScript spec there imports { defineEnvironment } from 'pvestack'. Exit codes: 0 written and checks pass,\n" +
        '1 written but checks find errors (they are printed), 2 bad flags or the file exists.',
    )
    .action(action((ctx, name: string | undefined, flags: InitFlags) => run(ctx, name, flags)));
}
