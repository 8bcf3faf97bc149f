/**
 * Whole processes, as a user runs them: wall time of a command from spawn to exit, with its exit
 * code and how much it printed. The compiled CLI is built first when dist/ is missing or stale,
 * so the numbers are those of an installed checkout (`npm ci` builds it), not of the sources.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { median } from '../measure';

export interface ProcessRun {
  readonly wallMs: number;
  /** User + system CPU of the process tree (from the kernel, so machine load does not inflate it). */
  readonly cpuMs: number;
  readonly exitCode: number | null;
  readonly outputBytes: number;
}

export interface ProcessMeasure {
  readonly command: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly exitCode: number | null;
  readonly outputBytes: number;
}

/** Runs `cmd` once; resolves whatever its exit code (callers decide what is expected). */
export function runProcess(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    // bash's `times` gives the children's CPU after they exit.
    const script = `"$@" >"$PVESTACK_BENCH_OUT" 2>&1; code=$?; times >&2; exit $code`;
    const out = path.join(require('node:os').tmpdir(), `pvestack-bench-out-${process.pid}`);
    const started = performance.now();
    const child = spawn('bash', ['-c', script, 'bench', cmd, ...args], {
      cwd: opts.cwd,
      env: { ...(opts.env ?? process.env), PVESTACK_BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      // `times` prints the shell's own line, then its children's: "0m1.234s 0m0.120s".
      const line = stderr.trim().split('\n').pop() ?? '';
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      const size = Number(spawnSync('stat', ['-c', '%s', out], { encoding: 'utf8' }).stdout.trim() || 0);
      spawnSync('rm', ['-f', out]);
      resolve({ wallMs, cpuMs: ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000, exitCode: code, outputBytes: size });
    });
  });
}

/** Runs a command `runs` times (after one warm-up run that fills the OS file cache) and takes medians. */
export async function measureProcess(
  label: string,
  cmd: string,
  args: readonly string[],
  runs: number,
  opts: { cwd: string; env?: NodeJS.ProcessEnv; expectExit?: number },
  log: (s: string) => void,
): Promise<ProcessMeasure> {
  await runProcess(cmd, args, opts);
  const all: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) all.push(await runProcess(cmd, args, opts));
  const expected = opts.expectExit ?? 0;
  const bad = all.find((r) => r.exitCode !== expected);
  if (bad) throw new Error(`${label}: exit ${bad.exitCode}, expected ${expected}`);
  const m: ProcessMeasure = {
    command: label,
    runs,
    medianMs: median(all.map((r) => r.wallMs)),
    medianCpuMs: median(all.map((r) => r.cpuMs)),
    exitCode: all[0]!.exitCode,
    outputBytes: all[0]!.outputBytes,
  };
  log(`  ${label}: ${Math.round(m.medianMs)} ms wall, ${Math.round(m.medianCpuMs)} ms CPU (median of ${runs})`);
  return m;
}

/** Builds dist/ when the compiled CLI is missing or older than its sources. */
export function ensureCompiledCli(root: string, log: (s: string) => void): void {
  const { distProblem } = require(path.join(root, 'bin', 'dist-status.js')) as { distProblem: (r: string) => string | undefined };
  const problem = distProblem(root);
  if (problem === undefined) return;
  log(`  ${problem}: npm run build`);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}
