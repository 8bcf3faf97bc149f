/**
 * Prometheus + Grafana (admin password from the env file), with node-exporter and cAdvisor for
 * the monitoring guest itself and the NVIDIA DCGM exporter when it has GPUs. Other guests run
 * the exporters as catalogue stacks; Prometheus scrapes those it finds (prometheus-yml.ts).
 */
import type { MonitoringStackSpec } from '../../model';
import { DEFAULT_PORTS } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { prometheusJobs, renderGrafanaDatasource, renderPrometheusYml } from '../monitoring/prometheus-yml';
import { catalogService } from './catalogue';
import { publish, StackContext, StackParts } from './types';

export const PROMETHEUS_IMAGE = 'prom/prometheus:v2.54.1';
export const GRAFANA_IMAGE = 'grafana/grafana:11.2.2';

export function monitoringStack(ctx: StackContext, stack: MonitoringStackSpec): StackParts {
  const gpu = ctx.gpus.length > 0 && ctx.options.gpu !== false;
  const services: ServiceDefinition[] = [
    {
      name: 'prometheus',
      image: PROMETHEUS_IMAGE,
      command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=30d'],
      ports: [publish(ctx.guest, DEFAULT_PORTS.prometheus)],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', 'prometheus-data:/prometheus'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/healthy'] },
      stateful: true,
    },
    {
      name: 'grafana',
      image: GRAFANA_IMAGE,
      ports: [publish(ctx.guest, DEFAULT_PORTS.grafana)],
      env: { GF_SECURITY_ADMIN_USER: 'admin', GF_USERS_ALLOW_SIGN_UP: 'false' },
      secretEnv: [{ variable: 'GF_SECURITY_ADMIN_PASSWORD', secret: stack.grafanaAdminSecret }],
      volumes: ['./grafana/provisioning:/etc/grafana/provisioning:ro', 'grafana-data:/var/lib/grafana'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'], startPeriodSeconds: 30 },
      dependsOn: ['prometheus'],
      stateful: true,
    },
    catalogService(ctx, 'node-exporter'),
    catalogService(ctx, 'cadvisor'),
    ...(gpu ? [catalogService(ctx, 'dcgm-exporter')] : []),
  ];
  return {
    services,
    files: [
      { path: 'prometheus.yml', content: renderPrometheusYml(prometheusJobs(ctx.env, ctx.guest, stack, gpu)) },
      { path: 'grafana/provisioning/datasources/prometheus.yaml', content: renderGrafanaDatasource() },
    ],
    endpoints: [{ name: 'grafana', url: `http://${ctx.guest.ipv4}:${DEFAULT_PORTS.grafana}` }],
  };
}
