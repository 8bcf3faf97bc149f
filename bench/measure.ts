/**
 * Measuring helpers for the benchmark: medians, in-process timing, and child commands measured for
 * wall time and memory. A command's memory is reported two ways, because the cdktf CLI is a tree
 * of processes (npx → cdktf → the app under tsx): `/usr/bin/time -v`'s maximum resident set size
 * (the largest single process of the tree) and the peak of the whole tree's summed RSS, sampled
 * from /proc every 20 ms.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs `fn` `runs` times and returns every duration in milliseconds. */
export async function timeRuns(runs: number, fn: (run: number) => unknown | Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export interface CommandMeasure {
  readonly wallMs: number;
  /** Largest single process of the tree, from `/usr/bin/time -v` (undefined without it). */
  readonly maxRssMib?: number;
  /** Peak of the summed RSS of the process tree, sampled from /proc. */
  readonly treeRssMib: number;
  readonly exitCode: number | null;
}

export const HAS_GNU_TIME =
  fs.existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' }).stderr.includes('Maximum resident');

/** Children of every process, from /proc/<pid>/stat (field 4 is the parent pid). */
function processTable(): Map<number, { ppid: number; rssPages: number }> {
  const table = new Map<number, { ppid: number; rssPages: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces: split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), rssPages: Number(fields[21]) });
    } catch {
      // the process ended while we read
    }
  }
  return table;
}

function treeRssBytes(root: number): number {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += (table.get(pid)?.rssPages ?? 0) * 4096;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a command to completion and measures it; stdout/stderr are discarded unless it fails. */
export function measureCommand(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CommandMeasure> {
  return new Promise((resolve, reject) => {
    const argv = HAS_GNU_TIME ? ['-v', cmd, ...args] : [...args];
    const started = performance.now();
    const child = spawn(HAS_GNU_TIME ? '/usr/bin/time' : cmd, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peak = 0;
    const sampler = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssBytes(child.pid));
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      resolve({ wallMs, ...(kb ? { maxRssMib: Number(kb) / 1024 } : {}), treeRssMib: peak / 1024 / 1024, exitCode: code });
    });
  });
}

/** Runs a command and throws with its output when it fails. */
export function mustRun(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
