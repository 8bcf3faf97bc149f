/**
 * The lock script of deploy/commands.ts run by the local `sh` (dash on Debian, as on a guest) in a
 * scratch root: what a deploy that loses the `mkdir` race sees while the winner is still writing
 * its info. Docker is pointed at a socket that does not exist, so the probe part touches nothing.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_HELD_EXIT, lockAndProbe } from '../../deploy/commands';
import { scratchDir } from '../support/tools';

const INFO = { run: 'r1', owner: 'alice@laptop', machine: 'm1', pid: 42, since: '2026-01-01T00:00:00.000Z' };

function runLockScript(root: string, stdin: string): Promise<{ code: number | null; stdout: string; ms: number }> {
  const [cmd, ...args] = lockAndProbe(root, []);
  const started = Date.now();
  const child = spawn(cmd!, args, { env: { PATH: process.env.PATH, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, ms: Date.now() - started })));
}

describe('deploy lock: a deploy that finds the lock before its info is written', () => {
  let scratch: ReturnType<typeof scratchDir>;
  let root = '';
  let lock = '';
  beforeEach(() => {
    scratch = scratchDir('pvestack-lock-race-');
    root = path.join(scratch.dir, 'root');
    lock = path.join(root, '.lock');
    fs.mkdirSync(lock, { recursive: true });
  });
  afterEach(() => scratch.cleanup());

  it('names the holder once its info appears', async () => {
    const pending = runLockScript(root, '{"run":"r2"}');
    setTimeout(() => {
      fs.writeFileSync(path.join(lock, 'info.tmp'), JSON.stringify(INFO));
      fs.renameSync(path.join(lock, 'info.tmp'), path.join(lock, 'info'));
    }, 100);
    const r = await pending;
    expect(r.code).toBe(LOCK_HELD_EXIT);
    expect(r.stdout).toContain(JSON.stringify(INFO));
    expect(fs.readFileSync(path.join(lock, 'info'), 'utf8')).toBe(JSON.stringify(INFO));
  });

  it('takes the lock when the holder removes it without writing info (its write failed)', async () => {
    const pending = runLockScript(root, JSON.stringify({ run: 'r2' }));
    setTimeout(() => fs.rmdirSync(lock), 100);
    const r = await pending;
    expect(r.code).toBe(0);
    // The probe's own line: the lock is this deploy's now.
    expect(r.stdout).toMatch(/^lock \d+ \{"run":"r2"\}$/m);
    expect(fs.readFileSync(path.join(lock, 'info'), 'utf8')).toBe('{"run":"r2"}');
    expect(fs.readFileSync(path.join(root, '.state', 'journal'), 'utf8')).toContain('"step":"lock"');
  });

  it('reports a lock that never gets info after about 2 s, without info', async () => {
    const r = await runLockScript(root, '{"run":"r2"}');
    expect(r.code).toBe(LOCK_HELD_EXIT);
    expect(r.stdout).toMatch(/^lock \d+ $/m);
    expect(r.ms).toBeGreaterThanOrEqual(1_900);
    expect(fs.readdirSync(lock)).toEqual([]);
  });
});
