/**
 * prometheus.yml: one job per exporter kind, targeting the guests named in the monitoring stack
 * (by private IP) that actually run that exporter, so no target is down by construction.
 */
import { stringify } from 'yaml';
import type { Environment, Guest, MonitoringStackSpec, PostgresStackSpec, ScrapeJob } from '../../model';
import { metricsEndpoints, monitoringTargets } from '../../model';
import { baseBackupScheduleOf } from '../../model/backup-schedule';
import type { BaseBackupTarget } from './alert-rules';
import { yamlText } from '../yaml-text';
import { POSTGRES_EXPORTER_PORT } from '../stacks/postgres';

interface Job {
  readonly name: string;
  readonly path?: string;
  readonly targets: string[];
}

/**
 * Jobs for the monitoring guest itself (its own exporters, by compose service name) and every
 * target guest (by private address, the endpoints of model/metrics-endpoints.ts, for which the
 * reachability matrix opens the firewall).
 */
export function prometheusJobs(env: Environment, self: Guest, stack: MonitoringStackSpec, selfHasGpu: boolean): Job[] {
  const targets = monitoringTargets(env, self, stack);
  const at = (guests: readonly Guest[], job: ScrapeJob) =>
    guests.flatMap((g) => metricsEndpoints(g).flatMap((e) => (e.job === job ? [`${g.ipv4}:${e.port}`] : [])));
  // The postgres, redis and nginx-proxy stacks carry their exporters (templates/stacks/postgres.ts,
  // redis.ts, nginx-proxy.ts); on the monitoring guest they are scraped at its own address.
  const withSelf = [self, ...targets];
  const jobs: Job[] = [
    { name: 'prometheus', targets: ['localhost:9090'] },
    { name: 'node', targets: ['node-exporter:9100', ...at(targets, 'node')] },
    { name: 'cadvisor', targets: ['cadvisor:8080', ...at(targets, 'cadvisor')] },
    { name: 'dcgm', targets: [...(selfHasGpu ? ['dcgm-exporter:9400'] : []), ...at(targets, 'dcgm')] },
    { name: 'vllm', path: '/metrics', targets: at(targets, 'vllm') },
    { name: 'postgres', targets: at(withSelf, 'postgres') },
    { name: 'redis', targets: at(withSelf, 'redis') },
    { name: 'nginx', targets: at(withSelf, 'nginx') },
  ];
  return jobs.filter((j) => j.targets.length > 0);
}

/**
 * The postgres_exporter targets (the same guests the `postgres` job scrapes) whose stack takes base
 * backups, with each one's schedule: the stale-base-backup alert's thresholds come from them.
 */
export function baseBackupTargets(env: Environment, self: Guest, stack: MonitoringStackSpec): BaseBackupTarget[] {
  const targets = monitoringTargets(env, self, stack);
  return [self, ...targets].flatMap((g) => {
    const pg = g.stacks.find((s): s is PostgresStackSpec => s.kind === 'postgres' && s.backup !== undefined);
    return pg ? [{ instance: `${g.ipv4}:${POSTGRES_EXPORTER_PORT}`, schedule: baseBackupScheduleOf(pg) }] : [];
  });
}

/** Where prometheus.yml finds the alert rules and Alertmanager (paths and names inside the monitoring stack). */
export interface AlertingTargets {
  readonly rulesFile: string;
  readonly alertmanager: string;
}

export function renderPrometheusYml(jobs: readonly Job[], alerting?: AlertingTargets): string {
  const doc = {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    ...(alerting ? { rule_files: [alerting.rulesFile], alerting: { alertmanagers: [{ static_configs: [{ targets: [alerting.alertmanager] }] }] } } : {}),
    scrape_configs: jobs.map((j) => ({ job_name: j.name, ...(j.path ? { metrics_path: j.path } : {}), static_configs: [{ targets: j.targets }] })),
  };
  return `# Rendered by pvestack; change the environment spec, not this file.\n${yamlText(doc)}`;
}

/** Grafana datasource provisioning: Prometheus of the same stack, by service name. */
export function renderGrafanaDatasource(): string {
  return stringify({
    apiVersion: 1,
    datasources: [{ name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, editable: false }],
  });
}
