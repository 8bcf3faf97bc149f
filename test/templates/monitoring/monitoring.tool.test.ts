/**
 * Every rendered monitoring config passes Prometheus' and Alertmanager's own checkers
 * (`promtool check config`, which loads the rule files too, `promtool check rules`, `amtool
 * check-config`), and the data-path alerts fire on the series they are meant for
 * (`promtool test rules`). A broken rule is rejected, so the checks are real.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { BaseBackupScheduleSpec, Environment, Guest, PostgresStackSpec } from '../../../model';
import { gpusOf, MonitoringStackSpec, resolveBaseBackupSchedule } from '../../../model';
import { environmentNames, loadEnvironment } from '../../../stacks/registry';
import { ALERT_RULES, alertRules, renderAlertRules } from '../../../templates/monitoring/alert-rules';
import { monitoringStack } from '../../../templates/stacks/monitoring';
import { describeWithTools, scratchDir } from '../../support/tools';

/** The files of every monitoring stack of every registered environment, with and without a webhook receiver. */
function cases(): { id: string; files: Map<string, string> }[] {
  const out: { id: string; files: Map<string, string> }[] = [];
  for (const name of environmentNames()) {
    const env = loadEnvironment(name);
    for (const guest of env.guests)
      guest.stacks.forEach((stack, i) => {
        if (stack.kind !== 'monitoring') return;
        for (const webhook of [false, true]) {
          const spec: MonitoringStackSpec = webhook ? { ...stack, alerting: { webhookUrlSecret: stack.grafanaAdminSecret } } : stack;
          const parts = monitoringStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, spec);
          out.push({ id: `${name}-${guest.name}-${i}${webhook ? '-webhook' : ''}`, files: new Map(parts.files.map((f) => [f.path, f.content])) });
        }
      });
  }
  return out;
}

/** Production with the backed-up database on `schedule`; its monitoring guest and stack. */
function productionWithSchedule(schedule: BaseBackupScheduleSpec): { env: Environment; guest: Guest; stack: MonitoringStackSpec } {
  const base = loadEnvironment('production');
  const withSchedule = (s: Guest['stacks'][number]) =>
    s.kind === 'postgres' && s.backup ? ({ ...s, backup: { ...s.backup, schedule } } satisfies PostgresStackSpec) : s;
  const env: Environment = { ...base, guests: base.guests.map((g) => ({ ...g, stacks: g.stacks.map(withSchedule) })) };
  const guest = env.guests.find((g) => g.stacks.some((s) => s.kind === 'monitoring'))!;
  return { env, guest, stack: guest.stacks.find((s): s is MonitoringStackSpec => s.kind === 'monitoring')! };
}

describeWithTools('rendered monitoring configs pass promtool and amtool', ['promtool', 'amtool'], () => {
  const scratch = scratchDir('pvestack-monitoring-');
  afterAll(() => scratch.cleanup());
  const tool = (cmd: string, args: string[], cwd?: string) => spawnSync(cmd, args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) });

  function write(id: string, files: Map<string, string>): string {
    const dir = path.join(scratch.dir, id);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, content] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      // The container path of the rule file becomes the scratch one; nothing else changes.
      fs.writeFileSync(path.join(dir, file), content.replace('/etc/prometheus/alerts.yml', path.join(dir, 'alerts.yml')));
    }
    return dir;
  }

  const all = cases();
  it('finds monitoring stacks to test', () => expect(all.length).toBeGreaterThanOrEqual(2));

  it.each(all)('$id', ({ id, files }) => {
    const dir = write(id, files);
    const config = tool('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(config.status, config.stdout + config.stderr).toBe(0);
    expect(config.stdout + config.stderr).toContain(`${ALERT_RULES.length} rules found`);
    const rules = tool('promtool', ['check', 'rules', path.join(dir, 'alerts.yml')]);
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    const am = tool('amtool', ['check-config', path.join(dir, 'alertmanager.yml')]);
    expect(am.status, am.stdout + am.stderr).toBe(0);
    expect(am.stdout).toContain(' - 1 receivers');
    expect(files.get('alertmanager.yml')!.includes('webhook_configs')).toBe(id.endsWith('-webhook'));
  });

  it('rejects a broken rule (the check is real)', () => {
    const dir = path.join(scratch.dir, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'alerts.yml'), renderAlertRules().replace('up == 0', 'up === 0'));
    expect(tool('promtool', ['check', 'rules', path.join(dir, 'alerts.yml')]).status).not.toBe(0);
  });

  it('the data-path alerts fire on the series they are for, and stay quiet otherwise (promtool test rules)', () => {
    const dir = path.join(scratch.dir, 'unit');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'alerts.yml'), renderAlertRules());
    const db = { instance: '10.20.0.31:9187', job: 'postgres' };
    const labels = (l: Record<string, string>) =>
      `{${Object.entries(l)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`;
    /** An expected alert: its labels, and the rule's summary with its template filled in. */
    const fired = (l: Record<string, string>, severity: string, alert: string, fill: Record<string, string>) => {
      const summary = ALERT_RULES.find((r) => r.alert === alert)!
        .summary.replaceAll('{{ $labels.instance }}', fill.instance ?? '')
        .replaceAll('{{ $labels.job }}', fill.job ?? '')
        .replaceAll('{{ $labels.mountpoint }}', fill.mountpoint ?? '')
        .replaceAll('{{ $value | humanizePercentage }}', fill.value ?? '');
      return { exp_labels: { ...l, severity }, exp_annotations: { summary } };
    };
    const test = {
      rule_files: ['alerts.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // archive_command fails every minute from minute 10 on; the last success was at t=0.
            { series: `pvestack_pg_archiver_failed_count${labels(db)}`, values: '0x10 1+1x30' },
            { series: `pvestack_pg_archiver_last_failed_time_seconds${labels(db)}`, values: '0x10 660+60x30' },
            { series: `pvestack_pg_archiver_last_archived_time_seconds${labels(db)}`, values: '1x40' },
            // The newest base backup is 20 h old and ages.
            { series: `pvestack_pg_base_backup_age_seconds${labels(db)}`, values: '72000+60x400' },
            { series: `pvestack_restore_drill_last_ok${labels(db)}`, values: '1x20 0x20' },
            { series: `pvestack_restore_drill_age_seconds${labels(db)}`, values: '3600+60x40' },
            { series: `up${labels({ instance: '10.20.0.21:9121', job: 'redis' })}`, values: '1x5 0x20' },
            { series: `node_filesystem_avail_bytes${labels({ instance: 'db:9100', mountpoint: '/var/lib/postgresql', fstype: 'ext4' })}`, values: '10x30' },
            { series: `node_filesystem_size_bytes${labels({ instance: 'db:9100', mountpoint: '/var/lib/postgresql', fstype: 'ext4' })}`, values: '100x30' },
          ],
          alert_rule_test: [
            { eval_time: '5m', alertname: 'PostgresWalArchiveFailing', exp_alerts: [] },
            {
              eval_time: '20m',
              alertname: 'PostgresWalArchiveFailing',
              exp_alerts: [fired(db, 'critical', 'PostgresWalArchiveFailing', { instance: db.instance })],
            },
            { eval_time: '1h', alertname: 'PostgresBaseBackupStale', exp_alerts: [] },
            {
              eval_time: '6h30m',
              alertname: 'PostgresBaseBackupStale',
              exp_alerts: [fired(db, 'critical', 'PostgresBaseBackupStale', { instance: db.instance })],
            },
            { eval_time: '15m', alertname: 'RestoreDrillFailed', exp_alerts: [] },
            { eval_time: '30m', alertname: 'RestoreDrillFailed', exp_alerts: [fired(db, 'critical', 'RestoreDrillFailed', { instance: db.instance })] },
            { eval_time: '3m', alertname: 'TargetDown', exp_alerts: [] },
            {
              eval_time: '15m',
              alertname: 'TargetDown',
              exp_alerts: [fired({ instance: '10.20.0.21:9121', job: 'redis' }, 'critical', 'TargetDown', { instance: '10.20.0.21:9121', job: 'redis' })],
            },
            {
              eval_time: '15m',
              alertname: 'DiskAbove85Percent',
              exp_alerts: [
                fired({ instance: 'db:9100', mountpoint: '/var/lib/postgresql', fstype: 'ext4' }, 'warning', 'DiskAbove85Percent', {
                  instance: 'db:9100',
                  mountpoint: '/var/lib/postgresql',
                  value: '90%',
                }),
              ],
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'test.yml'), stringify(test));
    const r = tool('promtool', ['test', 'rules', 'test.yml'], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
  /** Writes `alerts` and a promtool unit test of PostgresBaseBackupStale on the given base-backup ages (hours at t=0, growing 1 h per hour). */
  function staleTest(
    id: string,
    alerts: string,
    ages: Record<string, number>,
    checks: { at: string; firing: [instance: string, hours: number, every: string][] }[],
  ) {
    const dir = path.join(scratch.dir, id);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'alerts.yml'), alerts);
    const rules = tool('promtool', ['check', 'rules', path.join(dir, 'alerts.yml')]);
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    const test = {
      rule_files: ['alerts.yml'],
      evaluation_interval: '10m',
      tests: [
        {
          interval: '10m',
          input_series: Object.entries(ages).map(([instance, hours]) => ({
            series: `pvestack_pg_base_backup_age_seconds{instance="${instance}",job="postgres"}`,
            values: `${hours * 3600}+600x1200`,
          })),
          alert_rule_test: checks.map(({ at, firing }) => ({
            eval_time: at,
            alertname: 'PostgresBaseBackupStale',
            exp_alerts: firing.map(([instance, hours, every]) => ({
              exp_labels: { instance, job: 'postgres', severity: 'critical' },
              exp_annotations: { summary: `The newest base backup of ${instance} is older than ${hours} h (${every} schedule): check the pg-backup sidecar` },
            })),
          })),
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'test.yml'), stringify(test));
    const r = tool('promtool', ['test', 'rules', 'test.yml'], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }

  it('a weekly base-backup schedule in the spec moves the stale-backup threshold of the rendered rules to a week plus 2 h', () => {
    const { env, guest, stack } = productionWithSchedule({ every: 'weekly', day: 'wed', at: '04:00' });
    const files = new Map(monitoringStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, stack).files.map((f) => [f.path, f.content]));
    const alerts = files.get('alerts.yml')!;
    expect(alerts).toContain('pvestack_pg_base_backup_age_seconds > 170 * 3600');
    expect(alerts).toContain('older than 170 h (weekly schedule)');
    const dir = write('weekly-production', files);
    const config = tool('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(config.status, config.stdout + config.stderr).toBe(0);
    const db = '10.20.0.20:9187';
    // 30 h old: stale for a daily schedule, not for a weekly one; 171 h old: stale for both.
    staleTest('weekly', alerts, { [db]: 30 }, [
      { at: '1h', firing: [] },
      { at: '141h', firing: [[db, 170, 'weekly']] },
    ]);
  });

  it('stacks on different schedules get one rule per threshold, each selecting its instances', () => {
    const daily = '10.20.0.20:9187';
    const weekly = '10.20.0.21:9187';
    const targets = [
      { instance: daily, schedule: resolveBaseBackupSchedule(undefined) },
      { instance: weekly, schedule: resolveBaseBackupSchedule({ every: 'weekly' }) },
    ];
    const alerts = renderAlertRules(targets);
    expect(
      alertRules(targets)
        .filter((r) => r.alert === 'PostgresBaseBackupStale')
        .map((r) => r.expr),
    ).toEqual([
      'pvestack_pg_base_backup_age_seconds{instance=~"10\\\\.20\\\\.0\\\\.20:9187"} > 26 * 3600',
      'pvestack_pg_base_backup_age_seconds{instance=~"10\\\\.20\\\\.0\\\\.21:9187"} > 170 * 3600',
    ]);
    // Both 20 h old: after 7 h only the daily one is stale; after 151 h both are.
    staleTest('mixed', alerts, { [daily]: 20, [weekly]: 20 }, [
      { at: '1h', firing: [] },
      { at: '7h', firing: [[daily, 26, 'daily']] },
      {
        at: '151h',
        firing: [
          [daily, 26, 'daily'],
          [weekly, 170, 'weekly'],
        ],
      },
    ]);
  });
});
