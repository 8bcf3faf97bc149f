/**
 * Prometheus + Alertmanager (alert rules of templates/monitoring/alert-rules.ts, one receiver) +
 * Grafana (admin password from the env file), with node-exporter and cAdvisor for
 * the monitoring guest itself and the NVIDIA DCGM exporter when it has GPUs. Other guests run
 * the exporters as catalogue stacks; Prometheus scrapes those it finds (prometheus-yml.ts).
 */
import type { MonitoringStackSpec } from '../../model';
import { DEFAULT_PORTS } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { renderAlertRules } from '../monitoring/alert-rules';
import { renderAlertmanagerYml, WEBHOOK_URL_PLACEHOLDER } from '../monitoring/alertmanager-yml';
import { baseBackupTargets, prometheusJobs, renderGrafanaDatasource, renderPrometheusYml } from '../monitoring/prometheus-yml';
import { catalogService } from './catalogue';
import { publish, StackContext, StackParts } from './types';

export const PROMETHEUS_IMAGE = 'prom/prometheus:v2.54.1';
export const GRAFANA_IMAGE = 'grafana/grafana:11.2.2';
export const ALERTMANAGER_IMAGE = 'prom/alertmanager:v0.27.0';
const ALERTMANAGER_PORT = 9093;

/**
 * Alertmanager's entrypoint: the rendered file holds a placeholder for the webhook URL (a secret),
 * replaced at start into a private copy; `|`, `&` and `\` are escaped for sed's replacement.
 */
const ALERTMANAGER_SCRIPT = [
  'set -eu',
  'umask 077',
  `esc=$(printf '%s' "\${ALERT_WEBHOOK_URL:-}" | sed 's/[|&\\]/\\&/g')`,
  `sed "s|${WEBHOOK_URL_PLACEHOLDER}|$esc|" /etc/alertmanager/alertmanager.yml > /tmp/alertmanager.yml`,
  'unset ALERT_WEBHOOK_URL',
  'exec /bin/alertmanager --config.file=/tmp/alertmanager.yml --storage.path=/alertmanager',
].join('\n');

export function monitoringStack(ctx: StackContext, stack: MonitoringStackSpec): StackParts {
  const gpu = ctx.gpus.length > 0 && ctx.options.gpu !== false;
  const webhook = stack.alerting?.webhookUrlSecret;
  const services: ServiceDefinition[] = [
    {
      name: 'prometheus',
      image: PROMETHEUS_IMAGE,
      command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=30d'],
      ports: [publish(ctx.guest, DEFAULT_PORTS.prometheus)],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', './alerts.yml:/etc/prometheus/alerts.yml:ro', 'prometheus-data:/prometheus'],
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
    {
      name: 'alertmanager',
      image: ALERTMANAGER_IMAGE,
      entrypoint: ['sh', '-c', ALERTMANAGER_SCRIPT],
      ports: [publish(ctx.guest, ALERTMANAGER_PORT)],
      ...(webhook ? { secretEnv: [{ variable: 'ALERT_WEBHOOK_URL', secret: webhook }] } : {}),
      volumes: ['./alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro', 'alertmanager-data:/alertmanager'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${ALERTMANAGER_PORT}/-/healthy`] },
    },
    catalogService(ctx, 'node-exporter'),
    catalogService(ctx, 'cadvisor'),
    ...(gpu ? [catalogService(ctx, 'dcgm-exporter')] : []),
  ];
  return {
    services,
    files: [
      {
        path: 'prometheus.yml',
        content: renderPrometheusYml(prometheusJobs(ctx.env, ctx.guest, stack, gpu), {
          rulesFile: '/etc/prometheus/alerts.yml',
          alertmanager: `alertmanager:${ALERTMANAGER_PORT}`,
        }),
      },
      { path: 'alerts.yml', content: renderAlertRules(baseBackupTargets(ctx.env, ctx.guest, stack)) },
      { path: 'alertmanager.yml', content: renderAlertmanagerYml(webhook !== undefined) },
      { path: 'grafana/provisioning/datasources/prometheus.yaml', content: renderGrafanaDatasource() },
    ],
    endpoints: [{ name: 'grafana', url: `http://${ctx.guest.ipv4}:${DEFAULT_PORTS.grafana}` }],
  };
}
