/**
 * `docker-compose -f FILE config -q` on many files. With Compose v1 (a Python program) each file
 * still goes through the CLI's own entry point, in a child forked from one interpreter that has
 * imported it once (`compose-config.py`): the same verdicts and messages for a tenth of the CPU.
 * Any other docker-compose (not a Python script) is started once per file.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pool, run } from './tools';

const execFileP = promisify(execFile);

/** `docker-compose -f FILE config -q` as one process: undefined when valid, else the tool's complaint. */
export async function composeConfig(file: string): Promise<string | undefined> {
  try {
    await execFileP('docker-compose', ['-f', file, 'config', '-q']);
    return undefined;
  } catch (err) {
    return (err as { stderr?: string }).stderr ?? String(err);
  }
}

/** The Python interpreter of the installed docker-compose script, or undefined when it is not one. */
function composePython(): string | undefined {
  const script = fs.realpathSync(run('sh', ['-c', 'command -v docker-compose']).trim());
  const fd = fs.openSync(script, 'r');
  try {
    const head = Buffer.alloc(128);
    const firstLine = head
      .subarray(0, fs.readSync(fd, head, 0, head.length, 0))
      .toString('latin1')
      .split('\n')[0]!;
    return /^#!\s*(\S*python\S*)\s*$/.exec(firstLine)?.[1];
  } finally {
    fs.closeSync(fd);
  }
}

/** Every file's verdict, by file: undefined when `config -q` accepts it, else its output. */
export async function composeConfigAll(files: readonly string[]): Promise<Map<string, string | undefined>> {
  const python = composePython();
  if (!python) return new Map(await pool(files, 2, async (f) => [f, await composeConfig(f)] as const));
  const { stdout } = await execFileP(python, [path.join(__dirname, 'compose-config.py'), ...files], { maxBuffer: 64 * 1024 * 1024 });
  const results = JSON.parse(stdout) as Record<string, { code: number; output: string }>;
  return new Map(
    files.map((f) => {
      const r = results[f];
      if (!r) throw new Error(`compose-config.py reported nothing for ${f}`);
      return [f, r.code === 0 ? undefined : r.output || `exit ${r.code}`] as const;
    }),
  );
}
