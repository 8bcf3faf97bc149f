/**
 * The base side of `pvestack diff`: a temporary `git worktree` of the base ref, made runnable by
 * linking the head checkout's `node_modules` and generated bindings, where the base revision's own
 * code synthesizes its environments in a child process. The worktree is removed on every exit
 * path: normal return, thrown error, and SIGINT/SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OperationError, UsageError, type Environment } from '../../model';

/** Links the base worktree borrows from the head checkout (gitignored, so absent in a fresh worktree). */
const LINKED = ['node_modules', '.gen'];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without blocking the event loop, so a SIGINT handler can still clean up. */
export function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function git(repo: string, args: readonly string[]): Run {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The repository's top-level directory, or a usage error outside a git checkout. */
export function repoRoot(cwd: string): string {
  const r = git(cwd, ['rev-parse', '--show-toplevel']);
  if (r.code !== 0) throw new UsageError('pvestack diff needs a git checkout', 'Run it inside the repository that holds the environment specs');
  return r.stdout.trim();
}

/** A short description of a ref (`origin/main@1a2b3c4`), or a usage error when it does not resolve. */
export function describeRef(repo: string, ref: string): string {
  const r = git(repo, ['rev-parse', '--short', '--verify', `${ref}^{commit}`]);
  if (r.code !== 0)
    throw new UsageError(`base ref ${JSON.stringify(ref)} does not resolve to a commit`, 'Fetch it first (git fetch origin main) or pass another --base');
  return `${ref}@${r.stdout.trim()}`;
}

/**
 * Runs `fn` with a temporary worktree of `ref` and removes it afterwards, whatever happens.
 * SIGINT/SIGTERM remove it too, then end the process by the same signal.
 */
export async function withWorktree<T>(repo: string, ref: string, fn: (dir: string, scratch: string) => Promise<T>): Promise<T> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-diff-'));
  const dir = path.join(scratch, 'base');
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    git(repo, ['worktree', 'remove', '--force', dir]);
    fs.rmSync(scratch, { recursive: true, force: true });
    git(repo, ['worktree', 'prune']);
  };
  // After cleaning up, the signal is raised again with this handler gone: the process then ends
  // as the signal's default says (130/143 in a shell), and only bin/ ever decides an exit code.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const added = git(repo, ['worktree', 'add', '--detach', '--quiet', dir, ref]);
    if (added.code !== 0)
      throw new OperationError(`git worktree add failed for ${ref}: ${added.stderr.trim()}`, 'Check that the ref exists and the repository is not locked');
    for (const name of LINKED) {
      const source = path.join(repo, name);
      if (fs.existsSync(source) && !fs.existsSync(path.join(dir, name))) fs.symlinkSync(source, path.join(dir, name), 'dir');
    }
    return await fn(dir, scratch);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
}

/**
 * Loads the base revision's environments with the base revision's own code. Returns the names it
 * registers and the requested environments it has (keyed by the name asked for); the rest are
 * new in head.
 */
export async function loadBaseEnvironments(
  worktree: string,
  scratch: string,
  names: readonly string[] | undefined,
): Promise<{ known: string[]; envs: Map<string, Environment> }> {
  const script = path.join(scratch, 'load-environments.js');
  fs.writeFileSync(
    script,
    [
      "'use strict';",
      "const fs = require('node:fs');",
      `const req = require('node:module').createRequire(${JSON.stringify(path.join(worktree, 'package.json'))});`,
      "req('tsx/cjs');",
      "const registry = req('./stacks/registry.ts');",
      'const known = registry.environmentNames();',
      `const wanted = ${JSON.stringify(names ?? null)} ?? known;`,
      'const isFile = (n) => /[\\\\/]|\\.(ya?ml|json|ts|js)$/.test(n);',
      'const present = wanted.filter((n) => (isFile(n) ? fs.existsSync(n) : known.includes(n)));',
      'const envs = Object.fromEntries(present.map((n) => [n, registry.loadEnvironment(n)]));',
      'process.stdout.write(JSON.stringify({ known, envs }));',
    ].join('\n'),
  );
  const r = await run(process.execPath, [script], worktree);
  if (r.code !== 0)
    throw new OperationError(`the base revision's environments do not load: ${lastLines(r.stderr)}`, 'Fix the base revision or pick another --base');
  const parsed = JSON.parse(r.stdout) as { known: string[]; envs: Record<string, Environment> };
  return { known: parsed.known, envs: new Map(Object.entries(parsed.envs)) };
}

/**
 * `pvestack synth <envs> --no-checks --out <outdir> --json` inside the worktree. Older revisions
 * may not know `--no-checks`; then it runs again without it.
 */
export async function synthesizeBase(worktree: string, envs: readonly string[], outdir: string): Promise<void> {
  if (envs.length === 0) return;
  const cli = path.join(worktree, 'bin', 'pvestack.js');
  const args = (extra: string[]) => [cli, 'synth', ...envs, ...extra, '--out', outdir, '--json'];
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' };
  let r = await run(process.execPath, args(['--no-checks']), worktree, env);
  if (r.code !== 0 && /unknown option '--no-checks'/.test(r.stderr)) r = await run(process.execPath, args([]), worktree, env);
  if (r.code !== 0)
    throw new OperationError(
      `synthesizing the base revision failed (exit ${r.code}): ${lastLines(r.stderr || r.stdout)}`,
      'Run `pvestack synth` on the base revision to see the full error',
    );
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
