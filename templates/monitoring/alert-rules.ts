/**
 * Prometheus alert rules for the data path: what a team must hear about within minutes. Metric
 * sources: node-exporter (disk), dcgm-exporter (GPU memory, `DCGM_FI_DEV_FB_*`), Prometheus
 * itself (`up`), and the postgres-exporter queries of `templates/postgres/exporter-queries.ts`
 * (WAL archiver, newest base backup, restore drill), which read PostgreSQL's own statistics and
 * the backup directory the server mounts.
 */
import { stringify } from 'yaml';

/** A base backup runs daily; 26 h leaves room for one 15-minute retry cycle and a slow backup. */
export const BASE_BACKUP_MAX_AGE_HOURS = 26;
/** The restore drill runs weekly from CI; a missed week plus a day is an alert. */
export const RESTORE_DRILL_MAX_AGE_DAYS = 8;

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
}

export const ALERT_RULES: readonly Rule[] = [
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
  {
    alert: 'PostgresBaseBackupStale',
    expr: `pvestack_pg_base_backup_age_seconds > ${BASE_BACKUP_MAX_AGE_HOURS} * 3600`,
    for: '10m',
    severity: 'critical',
    summary: `The newest base backup of {{ $labels.instance }} is older than ${BASE_BACKUP_MAX_AGE_HOURS} h (daily schedule): check the pg-backup sidecar`,
  },
  {
    alert: 'RestoreDrillFailed',
    expr: `pvestack_restore_drill_last_ok == 0 or pvestack_restore_drill_age_seconds > ${RESTORE_DRILL_MAX_AGE_DAYS} * 86400`,
    for: '5m',
    severity: 'critical',
    summary: 'The last restore drill of {{ $labels.instance }} failed, or none passed for a week (pvestack backup verify)',
  },
];

export function renderAlertRules(): string {
  const doc = {
    groups: [
      {
        name: 'pvestack',
        rules: ALERT_RULES.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } })),
      },
    ],
  };
  return `# Rendered by pvestack; change the environment spec, not this file.\n${stringify(doc, { lineWidth: 0 })}`;
}
