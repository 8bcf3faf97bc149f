/**
 * One installed command line run many times. When the command is a Python console-script
 * launcher (Debian's docker-compose v1 and cloud-init are), every run still goes through the
 * entry point that launcher calls, with the same argv, in a child forked from one interpreter
 * that imported it once (`python-cli.py`): the same verdicts, messages and exit codes for a
 * fraction of the CPU. Any other command is started once per run, two at a time.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pool, run } from './tools';

const execFileP = promisify(execFile);

export interface CliRun {
  readonly code: number;
  /** stdout followed by stderr (interleaved as written, when run from one interpreter). */
  readonly output: string;
}

/** The interpreter and entry point of an installed Python console-script launcher, if it is one. */
export function pythonLauncher(command: string): { python: string; distribution: string; script: string } | undefined {
  const file = fs.realpathSync(run('sh', ['-c', `command -v ${command}`]).trim());
  const head = fs.readFileSync(file).subarray(0, 4096).toString('latin1');
  const python = /^#!\s*(\S*python\S*)\s*\n/.exec(head)?.[1];
  const entry = /load_entry_point\('([^'=]+)==[^']*', 'console_scripts', '([^']+)'\)/.exec(head);
  return python && entry ? { python, distribution: entry[1]!, script: entry[2]! } : undefined;
}

/** Runs `command ...argv` once as its own process. */
export async function runOnce(command: string, argv: readonly string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileP(command, [...argv], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? String(err)}` };
  }
}

/** Runs `command ...argv` for every argument list; results in the same order. */
export async function runMany(command: string, argvs: readonly (readonly string[])[]): Promise<CliRun[]> {
  const launcher = pythonLauncher(command);
  if (!launcher) return pool(argvs, 2, (argv) => runOnce(command, argv));
  const child = execFile(launcher.python, [path.join(__dirname, 'python-cli.py'), launcher.distribution, launcher.script], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  child.stdin!.end(JSON.stringify(argvs));
  const stdout = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: string) => (out += d));
    child.stderr!.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python-cli.py for ${command} exited ${code}: ${err}`))));
  });
  const results = JSON.parse(stdout) as CliRun[];
  if (results.length !== argvs.length) throw new Error(`python-cli.py ran ${results.length} of ${argvs.length} runs of ${command}`);
  return results;
}
