/**
 * Prometheus alert rules for the data path: what a team must hear about within minutes. Metric
 * sources: node-exporter (disk), dcgm-exporter (GPU memory, `DCGM_FI_DEV_FB_*`), Prometheus
 * itself (`up`), and the postgres-exporter queries of `templates/postgres/exporter-queries.ts`
 * (WAL archiver, newest base backup, restore drill), which read PostgreSQL's own statistics and
 * the backup directory the server mounts.
 */
import { BaseBackupSchedule, baseBackupMaxAgeHours, DEFAULT_BASE_BACKUP_SCHEDULE } from '../../model/backup-schedule';
import { yamlText } from '../yaml-text';

/** The restore drill runs weekly from CI; a missed week plus a day is an alert. */
export const RESTORE_DRILL_MAX_AGE_DAYS = 8;

/** A postgres_exporter target whose stack takes base backups, and on which schedule. */
export interface BaseBackupTarget {
  /** The scrape target, which Prometheus puts in the `instance` label (`10.20.0.31:9187`). */
  readonly instance: string;
  readonly schedule: BaseBackupSchedule;
}

export interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
}

const BEFORE_BASE_BACKUP: readonly Rule[] = [
  {
    alert: 'TargetDown',
    expr: 'up == 0',
    for: '5m',
    severity: 'critical',
    summary: '{{ $labels.job }} target {{ $labels.instance }} has been unreachable for 5 minutes',
  },
  {
    alert: 'DiskAbove85Percent',
    expr: '(1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs|fuse.*|cifs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs|fuse.*|cifs"}) > 0.85',
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full',
  },
  {
    alert: 'GpuMemoryNearFull',
    // vLLM reserves --gpu-memory-utilization (about 0.9) up front, so only what is beyond it is news.
    expr: 'DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.97',
    for: '15m',
    severity: 'warning',
    summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} uses {{ $value | humanizePercentage }} of its memory',
  },
  {
    alert: 'PostgresWalArchiveFailing',
    expr: 'increase(pvestack_pg_archiver_failed_count[15m]) > 0 and (pvestack_pg_archiver_last_failed_time_seconds > pvestack_pg_archiver_last_archived_time_seconds)',
    for: '5m',
    severity: 'critical',
    summary:
      'WAL archiving on {{ $labels.instance }} fails: pg_wal grows until the disk is full, and point-in-time recovery stops at the last archived segment',
  },
];

const AFTER_BASE_BACKUP: readonly Rule[] = [
  {
    alert: 'RestoreDrillFailed',
    expr: `pvestack_restore_drill_last_ok == 0 or pvestack_restore_drill_age_seconds > ${RESTORE_DRILL_MAX_AGE_DAYS} * 86400`,
    for: '5m',
    severity: 'critical',
    summary: 'The last restore drill of {{ $labels.instance }} failed, or none passed for a week (pvestack backup verify)',
  },
];

/** `10.20.0.31:9187` as an anchored PromQL regex alternative (RE2; `.` escaped in the string literal). */
function instanceRegex(instance: string): string {
  return instance.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

/**
 * PostgresBaseBackupStale: the newest base backup is older than its schedule's period plus the
 * grace (`model/backup-schedule.ts`, the same schedule the pg-backup sidecar's timer runs on).
 * When every target shares one threshold (or there is none), one rule for all; otherwise one rule
 * per threshold, each selecting its instances, so a weekly stack never alerts after a day and a
 * daily one is not left quiet for a week.
 */
export function baseBackupStaleRules(targets: readonly BaseBackupTarget[]): Rule[] {
  const byMaxAge = new Map<number, BaseBackupTarget[]>();
  for (const t of targets) {
    const hours = baseBackupMaxAgeHours(t.schedule);
    byMaxAge.set(hours, [...(byMaxAge.get(hours) ?? []), t]);
  }
  if (byMaxAge.size === 0) byMaxAge.set(baseBackupMaxAgeHours(DEFAULT_BASE_BACKUP_SCHEDULE), [{ instance: '', schedule: DEFAULT_BASE_BACKUP_SCHEDULE }]);
  const selective = byMaxAge.size > 1;
  return [...byMaxAge.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hours, group]) => {
      const kinds = [...new Set(group.map((t) => t.schedule.every))].join(' or ');
      const selector = selective ? `{instance=~"${group.map((t) => instanceRegex(t.instance)).join('|')}"}` : '';
      return {
        alert: 'PostgresBaseBackupStale',
        expr: `pvestack_pg_base_backup_age_seconds${selector} > ${hours} * 3600`,
        for: '10m',
        severity: 'critical',
        summary: `The newest base backup of {{ $labels.instance }} is older than ${hours} h (${kinds} schedule): check the pg-backup sidecar`,
      };
    });
}

/** Every rule, with the base-backup rules for these targets. */
export function alertRules(targets: readonly BaseBackupTarget[] = []): Rule[] {
  return [...BEFORE_BASE_BACKUP, ...baseBackupStaleRules(targets), ...AFTER_BASE_BACKUP];
}

/** The rules of an environment whose backed-up postgres stacks all run on the default schedule. */
export const ALERT_RULES: readonly Rule[] = alertRules();

/** alerts.yml of a monitoring stack; `targets` are the backed-up postgres stacks it scrapes (`baseBackupTargets`). */
export function renderAlertRules(targets: readonly BaseBackupTarget[] = []): string {
  const doc = {
    groups: [
      {
        name: 'pvestack',
        rules: alertRules(targets).map((r) => ({
          alert: r.alert,
          expr: r.expr,
          for: r.for,
          labels: { severity: r.severity },
          annotations: { summary: r.summary },
        })),
      },
    ],
  };
  return `# Rendered by pvestack; change the environment spec, not this file.\n${yamlText(doc)}`;
}
