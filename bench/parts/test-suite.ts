/**
 * `npm test` as CI runs it after `npm ci`: the static checks (ESLint, Prettier, tsc) beside the whole
 * suite, real-tool suites included, timed from start to end, with its summary line and any test that
 * timed out.
 */
import { spawn } from 'node:child_process';

export interface TestSuiteResult {
  readonly wallMs: number;
  readonly exitCode: number | null;
  /** The suite's last line: "N passed, N failed, N skipped". */
  readonly summary: string;
  readonly timeouts: number;
  /** The failed tests, as vitest names them (`file > suite > test`). */
  readonly failed: string[];
}

export function testSuite(root: string, log: (s: string) => void): Promise<TestSuiteResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['test'], {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const summary = [...output.matchAll(/^\d+ passed, \d+ failed, \d+ skipped$/gm)].pop()?.[0] ?? 'no summary line';
      const timeouts = (output.match(/Test timed out|Hook timed out/g) ?? []).length;
      const failed = [...new Set([...output.matchAll(/^ FAIL {1,2}(.+)$/gm)].map((m) => m[1]!.trim()))];
      log(`  npm test: ${Math.round(wallMs / 1000)} s, exit ${code}, ${summary}, ${timeouts} time-outs`);
      resolve({ wallMs, exitCode: code, summary, timeouts, failed });
    });
  });
}
