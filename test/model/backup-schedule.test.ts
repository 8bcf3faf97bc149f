/**
 * `backup.schedule` of a postgres stack: the validator accepts exactly the times and days the
 * sidecar's timer can read (properties over every minute of the day and arbitrary strings), the
 * defaults are today's (daily at 02:30 UTC), and the stale-backup threshold follows the period.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseBackupMaxAgeHours,
  baseBackupScheduleOf,
  DEFAULT_BASE_BACKUP_SCHEDULE,
  describeBaseBackupSchedule,
  resolveBaseBackupSchedule,
  TIME_OF_DAY,
  WEEKDAYS,
} from '../../model/backup-schedule';
import { InvalidSpecError, type PostgresStackSpec } from '../../model';
import { validateEnvironment } from '../../model/validate';
import { smallSpec } from '../fixtures/specs';

const PATH = 'guests[0].stacks[0].backup.schedule';

/** The small fixture whose database takes base backups on `schedule`; the messages it fails with, or the stack it yields. */
function validate(schedule: unknown): { stack?: PostgresStackSpec; messages: string[] } {
  const s = smallSpec();
  s.guests[0].stacks[0].backup = { mountPoint: '/var/lib/postgresql', schedule };
  try {
    const env = validateEnvironment(s, 'small.yaml');
    return { stack: env.guests[0]!.stacks[0] as PostgresStackSpec, messages: [] };
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    return { messages: err.errors.map((e) => e.message) };
  }
}

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('backup.schedule in the validator', () => {
  it('accepts every minute of the day, daily and weekly on every day, and resolves them as written', () => {
    fc.assert(
      fc.property(hhmm, fc.option(fc.constantFrom(...WEEKDAYS), { nil: undefined }), (at, day) => {
        const weekly = validate(day ? { every: 'weekly', at, day } : { every: 'daily', at });
        expect(weekly.messages).toEqual([]);
        expect(baseBackupScheduleOf(weekly.stack!)).toEqual(day ? { every: 'weekly', at, day } : { every: 'daily', at });
      }),
      { numRuns: 60 },
    );
  });

  it('refuses any other time with one message that names the path, the value and the fix', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('24:00', '2:30', '02:60', '02:30:00', ' 02:30', '02:30\n', '0230', '12:5', '99:99')),
        (at) => {
          fc.pre(!TIME_OF_DAY.test(at));
          expect(validate({ at }).messages).toEqual([
            `${PATH}.at: has the wrong format (got ${JSON.stringify(at)}). Write a UTC time of day as HH:MM (24-hour clock), e.g. "02:30".`,
          ]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it.each([
    [{ every: 'weekly', day: 'Sun' }, `${PATH}.day: must be one of "mon", "tue", "wed", "thu", "fri", "sat", "sun" (got "Sun"). Did you mean "sun"?`],
    [{ every: 'daily', day: 'mon' }, `${PATH}.day: applies only to a weekly schedule, and every is daily (got "mon"). Set every: weekly, or remove day.`],
    [{ at: 230 }, `${PATH}.at: must be a string, not a number (got 230). Write a UTC time of day as HH:MM (24-hour clock), e.g. "02:30".`],
    [{ every: 'daily', ta: '02:30' }, `${PATH}.ta: is not a known field. Did you mean "at"?`],
    [{ every: 'daily', hour: 2 }, `${PATH}.hour: is not a known field. Known fields: every, at, day.`],
    ['daily', `${PATH}: must be an object with fields, not a string (got "daily"). Describe a base-backup schedule with the fields every, at, day.`],
  ])('refuses %j: %s', (schedule, message) => {
    expect(validate(schedule).messages).toEqual([message]);
  });

  it('keeps the edges of the day', () => {
    expect(validate({ at: '00:00' }).messages).toEqual([]);
    expect(validate({ at: '23:59' }).messages).toEqual([]);
  });
});

describe('resolveBaseBackupSchedule', () => {
  it.each([
    [undefined, { every: 'daily', at: '02:30' }, 26, 'daily at 02:30 UTC'],
    [{}, { every: 'daily', at: '02:30' }, 26, 'daily at 02:30 UTC'],
    [{ at: '23:05' }, { every: 'daily', at: '23:05' }, 26, 'daily at 23:05 UTC'],
    [{ every: 'weekly' }, { every: 'weekly', at: '02:30', day: 'sun' }, 170, 'weekly on sun at 02:30 UTC'],
    [{ every: 'weekly', day: 'wed', at: '04:00' }, { every: 'weekly', at: '04:00', day: 'wed' }, 170, 'weekly on wed at 04:00 UTC'],
  ] as const)('%j → %j, stale after %d h', (spec, resolved, hours, text) => {
    const s = resolveBaseBackupSchedule(spec);
    expect(s).toEqual(resolved);
    expect(baseBackupMaxAgeHours(s)).toBe(hours);
    expect(describeBaseBackupSchedule(s)).toBe(text);
  });

  it('defaults to what the sidecar and the alert used before the schedule was a spec field', () => {
    expect(DEFAULT_BASE_BACKUP_SCHEDULE).toEqual({ every: 'daily', at: '02:30' });
    expect(baseBackupMaxAgeHours(DEFAULT_BASE_BACKUP_SCHEDULE)).toBe(26);
  });
});
