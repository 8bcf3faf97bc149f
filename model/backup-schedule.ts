/**
 * The base-backup schedule of a postgres stack, resolved from its spec (`backup.schedule`): the one
 * source of both the pg-backup sidecar's timer (`templates/postgres/backup.ts`) and the threshold
 * of the PostgresBaseBackupStale alert (`templates/monitoring/alert-rules.ts`), so the alert can
 * never expect backups more often than they are taken.
 */
import type { BaseBackupScheduleSpec, PostgresStackSpec, Weekday } from './spec';

/** Days in the order `date -d` and cron count them from Monday. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `HH:MM`, 00:00 to 23:59. */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export type BaseBackupSchedule = { readonly every: 'daily'; readonly at: string } | { readonly every: 'weekly'; readonly at: string; readonly day: Weekday };

/** Daily at 02:30 UTC: a quiet hour in Europe, where Storage Boxes are. */
export const DEFAULT_BASE_BACKUP_SCHEDULE: BaseBackupSchedule = { every: 'daily', at: '02:30' };

/**
 * Hours the newest base backup may be older than its period before the alert fires: one
 * 15-minute retry cycle of the sidecar and a slow backup fit in it.
 */
export const BASE_BACKUP_GRACE_HOURS = 2;

/** The schedule a spec asks for, with its defaults filled in. */
export function resolveBaseBackupSchedule(spec: BaseBackupScheduleSpec | undefined): BaseBackupSchedule {
  const at = spec?.at ?? DEFAULT_BASE_BACKUP_SCHEDULE.at;
  return spec?.every === 'weekly' ? { every: 'weekly', at, day: spec.day ?? 'sun' } : { every: 'daily', at };
}

/** The schedule of a postgres stack's base backups (the default when it has no backup settings). */
export function baseBackupScheduleOf(stack: PostgresStackSpec): BaseBackupSchedule {
  return resolveBaseBackupSchedule(stack.backup?.schedule);
}

/** Hours between two scheduled base backups. */
export function baseBackupPeriodHours(s: BaseBackupSchedule): number {
  return s.every === 'weekly' ? 7 * 24 : 24;
}

/** The age in hours beyond which the newest base backup is stale: its period plus the grace. */
export function baseBackupMaxAgeHours(s: BaseBackupSchedule): number {
  return baseBackupPeriodHours(s) + BASE_BACKUP_GRACE_HOURS;
}

/** `daily at 02:30 UTC`, `weekly on sun at 03:15 UTC`. */
export function describeBaseBackupSchedule(s: BaseBackupSchedule): string {
  return s.every === 'weekly' ? `weekly on ${s.day} at ${s.at} UTC` : `daily at ${s.at} UTC`;
}
