/**
 * prometheus.yml: one job per exporter kind, targeting the guests named in the monitoring stack
 * (by private IP) that actually run that exporter, so no target is down by construction.
 */
import { stringify } from 'yaml';
import type { Environment, Guest, MonitoringStackSpec, PostgresStackSpec } from '../../model';
import { baseBackupScheduleOf } from '../../model/backup-schedule';
import type { BaseBackupTarget } from './alert-rules';
import { DEFAULT_PORTS, guestByName } from '../../model';
import { POSTGRES_EXPORTER_PORT } from '../stacks/postgres';
import { NGINX_EXPORTER_PORT } from '../stacks/nginx-proxy';
import { REDIS_EXPORTER_PORT } from '../stacks/redis';

interface Job {
  readonly name: string;
  readonly path?: string;
  readonly targets: string[];
}

function has(g: Guest, kind: string): boolean {
  return g.stacks.some((s) => s.kind === kind);
}

function catalogPort(g: Guest, kind: 'node-exporter' | 'cadvisor' | 'dcgm-exporter'): number {
  const s = g.stacks.find((x) => x.kind === kind) as { port?: number } | undefined;
  return s?.port ?? DEFAULT_PORTS[kind];
}

/** Jobs for the monitoring guest itself (its own exporters) and every target guest. */
export function prometheusJobs(env: Environment, self: Guest, stack: MonitoringStackSpec, selfHasGpu: boolean): Job[] {
  const targets = (stack.targets ?? []).map((n) => guestByName(env, n)).filter((g): g is Guest => g !== undefined && g !== self);
  const node = ['node-exporter:9100', ...targets.filter((g) => has(g, 'node-exporter')).map((g) => `${g.ipv4}:${catalogPort(g, 'node-exporter')}`)];
  const cadvisor = ['cadvisor:8080', ...targets.filter((g) => has(g, 'cadvisor')).map((g) => `${g.ipv4}:${catalogPort(g, 'cadvisor')}`)];
  const dcgm = [
    ...(selfHasGpu ? ['dcgm-exporter:9400'] : []),
    ...targets.filter((g) => has(g, 'dcgm-exporter')).map((g) => `${g.ipv4}:${catalogPort(g, 'dcgm-exporter')}`),
  ];
  const vllm = targets.flatMap((g) => g.stacks.flatMap((s) => (s.kind === 'vllm' ? [`${g.ipv4}:${s.port ?? DEFAULT_PORTS.vllm}`] : [])));
  // The postgres and redis stacks carry their exporters (templates/stacks/postgres.ts, redis.ts).
  const withSelf = [self, ...targets];
  const postgres = withSelf.filter((g) => has(g, 'postgres')).map((g) => `${g.ipv4}:${POSTGRES_EXPORTER_PORT}`);
  const redis = withSelf.filter((g) => has(g, 'redis')).map((g) => `${g.ipv4}:${REDIS_EXPORTER_PORT}`);
  const nginx = withSelf.filter((g) => has(g, 'nginx-proxy')).map((g) => `${g.ipv4}:${NGINX_EXPORTER_PORT}`);
  const jobs: Job[] = [
    { name: 'prometheus', targets: ['localhost:9090'] },
    { name: 'node', targets: node },
    { name: 'cadvisor', targets: cadvisor },
    { name: 'dcgm', targets: dcgm },
    { name: 'vllm', path: '/metrics', targets: vllm },
    { name: 'postgres', targets: postgres },
    { name: 'redis', targets: redis },
    { name: 'nginx', targets: nginx },
  ];
  return jobs.filter((j) => j.targets.length > 0);
}

/**
 * The postgres_exporter targets (the same guests the `postgres` job scrapes) whose stack takes base
 * backups, with each one's schedule: the stale-base-backup alert's thresholds come from them.
 */
export function baseBackupTargets(env: Environment, self: Guest, stack: MonitoringStackSpec): BaseBackupTarget[] {
  const targets = (stack.targets ?? []).map((n) => guestByName(env, n)).filter((g): g is Guest => g !== undefined && g !== self);
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
  return `# Rendered by pvestack; change the environment spec, not this file.\n${stringify(doc, { lineWidth: 0 })}`;
}

/** Grafana datasource provisioning: Prometheus of the same stack, by service name. */
export function renderGrafanaDatasource(): string {
  return stringify({
    apiVersion: 1,
    datasources: [{ name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, editable: false }],
  });
}
