/**
 * Where Prometheus scrapes: the metrics endpoints each guest's stacks serve on its private
 * address, and which of them a monitoring stack scrapes over the network. The monitoring
 * renderer (templates/monitoring/prometheus-yml.ts) writes its scrape jobs from this, and the
 * reachability matrix derives one flow per remote endpoint from it, so every target Prometheus is
 * told about is a target the firewall lets it reach, and no exporter port opens to anyone else.
 */
import type { Environment, Guest } from './environment';
import { guestByName } from './environment';
import { DEFAULT_PORTS } from './listeners';
import type { MonitoringStackSpec } from './spec';

/** Ports of the exporters the postgres, redis and nginx-proxy stacks carry beside their server. */
export const EXPORTER_PORTS = {
  /** postgres_exporter's default `--web.listen-address` (prometheus-community/postgres_exporter README). */
  postgres: 9187,
  /** redis_exporter's default `REDIS_EXPORTER_WEB_LISTEN_ADDRESS` (oliver006/redis_exporter README). */
  redis: 9121,
  /** nginx-prometheus-exporter's default `--web.listen-address` (nginxinc/nginx-prometheus-exporter README). */
  nginx: 9113,
} as const;

/** Prometheus scrape jobs, in the order prometheus.yml lists them. */
export const SCRAPE_JOBS = ['node', 'cadvisor', 'dcgm', 'vllm', 'postgres', 'redis', 'nginx'] as const;
export type ScrapeJob = (typeof SCRAPE_JOBS)[number];

/** One metrics endpoint a guest serves on its private address. */
export interface MetricsEndpoint {
  readonly job: ScrapeJob;
  readonly port: number;
}

/** The catalogue exporters and the job that scrapes each. */
const CATALOGUE_JOBS = { 'node-exporter': 'node', cadvisor: 'cadvisor', 'dcgm-exporter': 'dcgm' } as const;

/** The metrics endpoints a guest's stacks publish on its private address, in stack order. */
export function metricsEndpoints(guest: Guest): MetricsEndpoint[] {
  return guest.stacks.flatMap((s): MetricsEndpoint[] => {
    switch (s.kind) {
      case 'node-exporter':
      case 'cadvisor':
      case 'dcgm-exporter':
        return [{ job: CATALOGUE_JOBS[s.kind], port: s.port ?? DEFAULT_PORTS[s.kind] }];
      case 'vllm':
        return [{ job: 'vllm', port: s.port ?? DEFAULT_PORTS.vllm }];
      case 'postgres':
      case 'redis':
        return [{ job: s.kind, port: EXPORTER_PORTS[s.kind] }];
      case 'nginx-proxy':
        return [{ job: 'nginx', port: EXPORTER_PORTS.nginx }];
      default:
        return [];
    }
  });
}

/** The guests a monitoring stack names as targets (unknown names and the monitoring guest itself left out), in spec order. */
export function monitoringTargets(env: Environment, self: Guest, stack: MonitoringStackSpec): Guest[] {
  return (stack.targets ?? []).map((n) => guestByName(env, n)).filter((g): g is Guest => g !== undefined && g !== self);
}

/** An endpoint Prometheus on `monitor` scrapes on another guest: what the firewall must let through. */
export interface RemoteScrape extends MetricsEndpoint {
  readonly monitor: Guest;
  readonly target: Guest;
}

/**
 * Every endpoint a monitoring stack scrapes on another guest. The monitoring guest's own
 * exporters are scraped over its own address or its compose network, which no firewall sits on.
 */
export function remoteScrapes(env: Environment): RemoteScrape[] {
  return env.guests.flatMap((monitor) =>
    monitor.stacks.flatMap((s) =>
      s.kind === 'monitoring' ? monitoringTargets(env, monitor, s).flatMap((target) => metricsEndpoints(target).map((e) => ({ ...e, monitor, target }))) : [],
    ),
  );
}
