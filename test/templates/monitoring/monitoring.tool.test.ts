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
import { gpusOf, MonitoringStackSpec } from '../../../model';
import { environmentNames, loadEnvironment } from '../../../stacks/registry';
import { ALERT_RULES, renderAlertRules } from '../../../templates/monitoring/alert-rules';
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
});
