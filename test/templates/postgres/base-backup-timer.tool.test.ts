/**
 * The pg-backup sidecar's timer follows `backup.schedule`: the rendered script of a stack (from a
 * spec, through `postgresStack`) runs under the real `sh` and GNU `date` of this machine (the
 * server images are Debian, so the same tools), with `pg_isready` answering and `sleep` recording
 * how long the sidecar would wait. Start time plus that wait must be the next scheduled run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { BaseBackupScheduleSpec, PostgresStackSpec } from '../../../model';
import { gpusOf, WEEKDAYS } from '../../../model';
import { loadEnvironment } from '../../../stacks/registry';
import { BACKUP_DIR, BACKUP_FILES } from '../../../templates/postgres/backup';
import { postgresStack } from '../../../templates/stacks/postgres';
import { describeWithTools, scratchDir } from '../../support/tools';

/** The production database stack with `schedule`, rendered; its pg-backup.sh. */
function sidecarScript(schedule: BaseBackupScheduleSpec | undefined): string {
  const env = loadEnvironment('production');
  const guest = env.guests.find((g) => g.stacks.some((s) => s.kind === 'postgres' && s.backup))!;
  const spec = guest.stacks.find((s) => s.kind === 'postgres') as PostgresStackSpec;
  const stack: PostgresStackSpec = { ...spec, backup: { ...spec.backup!, ...(schedule ? { schedule } : {}) } };
  const parts = postgresStack({ env, guest: { ...guest, stacks: [stack] }, gpus: gpusOf(env, guest), options: {} }, stack);
  return parts.files.find((f) => f.path === BACKUP_FILES.base)!.content;
}

/** The next run after `now` (Unix seconds) as the spec means it, computed here independently of the script. */
function expectedNext(nowSec: number, every: 'daily' | 'weekly', at: string, day?: string): number {
  const [h, m] = at.split(':').map(Number) as [number, number];
  const now = new Date(nowSec * 1000);
  for (let d = 0; d <= 8; d++) {
    const t = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d, h, m) / 1000;
    const weekday = WEEKDAYS[(new Date(t * 1000).getUTCDay() + 6) % 7];
    if (t > nowSec && (every === 'daily' || weekday === day)) return t;
  }
  throw new Error('no next run within 8 days');
}

describeWithTools('the base-backup sidecar waits for the scheduled run (real sh and GNU date)', ['sh', 'date'], () => {
  const scratch = scratchDir('pvestack-timer-');
  afterAll(() => scratch.cleanup());

  /** Runs the sidecar until its first scheduled wait; returns when it started and how long it would sleep. */
  function firstWait(script: string, id: string): { started: number; seconds: number; stdout: string } {
    const dir = path.join(scratch.dir, id);
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(path.join(dir, 'backup', 'base', '20260101T023000Z'), { recursive: true });
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'pg_isready'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    // The sidecar runs `sleep N & wait $!`: record N, then end the sidecar (the sleep's parent).
    fs.writeFileSync(path.join(bin, 'sleep'), `#!/bin/sh\necho "$1" > ${dir}/slept\nkill -TERM $PPID\n`, { mode: 0o755 });
    const file = path.join(dir, 'pg-backup.sh');
    fs.writeFileSync(file, script.replace(`dir=${BACKUP_DIR}\n`, `dir=${path.join(dir, 'backup')}\n`));
    const started = Math.floor(Date.now() / 1000);
    const r = spawnSync('sh', [file], { encoding: 'utf8', timeout: 120_000, env: { PATH: `${bin}:/usr/bin:/bin`, LANG: 'C' } });
    expect(fs.existsSync(path.join(dir, 'slept')), r.stderr).toBe(true);
    return { started, seconds: Number(fs.readFileSync(path.join(dir, 'slept'), 'utf8')), stdout: r.stdout + r.stderr };
  }

  it('defaults to daily at 02:30 UTC', () => {
    const script = sidecarScript(undefined);
    expect(script).toContain('# Rendered by pvestack: pg_basebackup at 02:30 UTC daily');
    const { started, seconds } = firstWait(script, 'default');
    expect(Math.abs(started + seconds - expectedNext(started, 'daily', '02:30'))).toBeLessThanOrEqual(2);
  });

  // Today's weekday a minute ago: the run of this week is past, so the next one is a week on.
  const now = new Date();
  const today = WEEKDAYS[(now.getUTCDay() + 6) % 7]!;
  const tomorrow = WEEKDAYS[now.getUTCDay() % 7]!;
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString().slice(11, 16);
  it.each([
    ['weekly, today, a minute ago', { every: 'weekly', day: today, at: minuteAgo }],
    ['weekly, tomorrow', { every: 'weekly', day: tomorrow, at: '04:10' }],
    ['daily at another time', { every: 'daily', at: '23:45' }],
  ] as const)('%s', (id, schedule) => {
    const script = sidecarScript(schedule);
    expect(script).toContain(
      schedule.every === 'weekly' ? `pg_basebackup at ${schedule.at} UTC weekly on ${schedule.day}` : `pg_basebackup at ${schedule.at} UTC daily`,
    );
    const { started, seconds } = firstWait(script, id.replace(/\W+/g, '-'));
    const day = schedule.every === 'weekly' ? schedule.day : undefined;
    expect(Math.abs(started + seconds - expectedNext(started, schedule.every, schedule.at, day))).toBeLessThanOrEqual(2);
    if (id.startsWith('weekly, today')) expect(seconds).toBeGreaterThan(6 * 86400);
  });
});
