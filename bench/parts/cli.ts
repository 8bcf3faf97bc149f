/**
 * The CLI as people start it: `pvestack …` as the README's quick start writes it (its first line puts
 * node_modules/.bin on the PATH, so the shell finds the linked command), and `npx pvestack …`, the
 * form that adds npm's start-up, for help, list, the checks and the synthesis of production. Each is
 * a whole process: start-up, module loading and work.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '../scratch';
import { ensureCompiledCli, measureProcess, type ProcessMeasure } from './process';

export interface CliResult {
  readonly runs: number;
  readonly rows: ProcessMeasure[];
  /** Set when node_modules/.bin/pvestack (what the PATH line and npx run) is not this checkout's command. */
  readonly npxNote?: string;
}

/** Whether `pvestack` and `npx pvestack` here run this checkout's bin/pvestack.js (prepare links it on install). */
function npxTarget(root: string): string | undefined {
  const link = path.join(root, 'node_modules', '.bin', 'pvestack');
  const own = fs.realpathSync(path.join(root, 'bin', 'pvestack.js'));
  let target: string;
  try {
    target = fs.realpathSync(link);
  } catch {
    return 'node_modules/.bin/pvestack does not exist (run npm ci, or node scripts/link-bin.js): npx falls back to the registry';
  }
  return target === own
    ? undefined
    : "node_modules/.bin/pvestack runs another checkout's command (a node_modules shared between checkouts), not this one's: the rows measure that one";
}

export async function cliStartup(root: string, runs: number, log: (s: string) => void): Promise<CliResult> {
  ensureCompiledCli(root, log);
  const out = scratchDir('cli-');
  // export PATH="$PWD/node_modules/.bin:$PATH", the README's first line.
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  const opts = { cwd: root, env };
  const rows: ProcessMeasure[] = [];
  rows.push(await measureProcess('npx pvestack --help', 'npx', ['pvestack', '--help'], runs, opts, log));
  rows.push(await measureProcess('npx pvestack list', 'npx', ['pvestack', 'list'], runs, opts, log));
  rows.push(await measureProcess('pvestack --help', 'pvestack', ['--help'], runs, opts, log));
  rows.push(await measureProcess('pvestack list', 'pvestack', ['list'], runs, opts, log));
  rows.push(await measureProcess('pvestack check production', 'pvestack', ['check', 'production'], runs, opts, log));
  rows.push(await measureProcess('pvestack synth production', 'pvestack', ['--out', out, 'synth', 'production'], runs, opts, log));
  const npxNote = npxTarget(root);
  return { runs, rows, ...(npxNote ? { npxNote } : {}) };
}
