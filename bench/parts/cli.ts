/**
 * The CLI as people start it: `npx pvestack …` as the README writes it, and the command itself
 * (`node bin/pvestack.js …`, what node_modules/.bin/pvestack runs), for help, list, the checks
 * and the synthesis of production. Each is a whole process: start-up, module loading and work.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCompiledCli, measureProcess, type ProcessMeasure } from './process';

export interface CliResult {
  readonly runs: number;
  readonly rows: ProcessMeasure[];
}

export async function cliStartup(root: string, runs: number, log: (s: string) => void): Promise<CliResult> {
  ensureCompiledCli(root, log);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-bench-cli-'));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const opts = { cwd: root, env };
  const bin = path.join('bin', 'pvestack.js');
  try {
    const rows: ProcessMeasure[] = [];
    rows.push(await measureProcess('npx pvestack --help', 'npx', ['pvestack', '--help'], runs, opts, log));
    rows.push(await measureProcess('npx pvestack list', 'npx', ['pvestack', 'list'], runs, opts, log));
    rows.push(await measureProcess('pvestack --help', 'node', [bin, '--help'], runs, opts, log));
    rows.push(await measureProcess('pvestack list', 'node', [bin, 'list'], runs, opts, log));
    rows.push(await measureProcess('pvestack check production', 'node', [bin, 'check', 'production'], runs, opts, log));
    rows.push(await measureProcess('pvestack synth production', 'node', [bin, '--out', out, 'synth', 'production'], runs, opts, log));
    return { runs, rows };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
