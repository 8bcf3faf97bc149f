/**
 * A throwaway git repository holding a copy of this project's source (what `git ls-files` lists,
 * plus untracked non-ignored files so work in progress is included), with `node_modules` and
 * `.gen` linked from the checkout. Tests commit revisions into it and run the real CLI there.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class TempRepo {
  private constructor(readonly dir: string) {}

  /** Copies the project into a new temporary repository and commits it as the first revision. */
  static create(): TempRepo {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-diff-repo-'));
    const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .stdout.split('\0')
      .filter((f) => f && !f.startsWith('.github/') && fs.existsSync(path.join(PROJECT_ROOT, f)) && fs.statSync(path.join(PROJECT_ROOT, f)).isFile());
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(dir, f));
    }
    for (const link of ['node_modules', '.gen']) fs.symlinkSync(path.join(PROJECT_ROOT, link), path.join(dir, link), 'dir');
    const repo = new TempRepo(dir);
    repo.git('init', '--quiet', '--initial-branch=main');
    repo.commit('base revision');
    return repo;
  }

  git(...args: string[]): string {
    const r = spawnSync('git', ['-c', 'user.name=pvestack test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Replaces `from` with `to` in a file, failing loudly when `from` is not there (the spec changed under the test). */
  edit(file: string, from: string | RegExp, to: string): void {
    const abs = path.join(this.dir, file);
    const text = fs.readFileSync(abs, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${file}: ${String(from)} not found; update the test to the current spec`);
    fs.writeFileSync(abs, next);
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
  }

  /** Runs the project's CLI inside the repository. */
  cli(...args: string[]): CliRun {
    const r = spawnSync(process.execPath, [path.join(this.dir, 'bin', 'pvestack.js'), ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' },
      timeout: 120_000,
    });
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  worktrees(): string[] {
    return this.git('worktree', 'list', '--porcelain')
      .split('\n')
      .filter((l) => l.startsWith('worktree '));
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
