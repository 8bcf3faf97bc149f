import { describe, expect, it } from 'vitest';
import type { ConnectionSpec } from '../../model';
import { endpointLabel, metricsEndpoints, reachability, remoteScrapes } from '../../model';
import { testEnvironment } from '../templates/fixtures';

const monitoring = { kind: 'monitoring' as const, targets: ['db', 'cache', 'proxy', 'mon'], grafanaAdminSecret: 'grafana-admin' };
const db = { kind: 'postgres' as const, database: 'app', passwordSecret: 'db-password' };
const redis = { kind: 'redis' as const, passwordSecret: 'redis-password' };
const proxy = { kind: 'nginx-proxy' as const, serverName: 'example.org', tls: 'none' as const, upstreams: ['db'] };

function env(connections: ConnectionSpec[] = []) {
  return testEnvironment(
    [
      { name: 'mon', stacks: [monitoring, { kind: 'node-exporter' }] },
      { name: 'db', stacks: [db, { kind: 'node-exporter', port: 9200 }] },
      { name: 'cache', stacks: [redis] },
      { name: 'proxy', stacks: [proxy] },
      { name: 'other', stacks: [redis] },
    ],
    { connections },
  );
}

const monitoringFlows = (e: ReturnType<typeof env>) =>
  reachability(e)
    .filter((f) => f.origin === 'monitoring')
    .map((f) => `${endpointLabel(f.from)}→${endpointLabel(f.to)}:${f.port.toFlowPort()}`);

describe('metrics endpoints and the flows Prometheus needs', () => {
  it('lists the exporters each stack carries, on their documented ports', () => {
    const e = env();
    expect(metricsEndpoints(e.guests[1]!)).toEqual([
      { job: 'postgres', port: 9187 },
      { job: 'node', port: 9200 },
    ]);
    // cache and proxy are scraped and declare no host exporter: they get the derived one (model/derived-exporters.ts).
    expect(metricsEndpoints(e.guests[2]!)).toEqual([
      { job: 'redis', port: 9121 },
      { job: 'node', port: 9100 },
    ]);
    expect(metricsEndpoints(e.guests[3]!)).toEqual([
      { job: 'nginx', port: 9113 },
      { job: 'node', port: 9100 },
    ]);
    expect(metricsEndpoints(e.guests[4]!)).toEqual([{ job: 'redis', port: 9121 }]);
  });

  it('derives one flow per scraped endpoint on another guest: only the targets the stack names, never the monitoring guest itself', () => {
    expect(remoteScrapes(env()).map((s) => `${s.target.name}:${s.port}`)).toEqual([
      'db:9187',
      'db:9200',
      'cache:9121',
      'cache:9100',
      'proxy:9113',
      'proxy:9100',
    ]);
    expect(monitoringFlows(env()).sort()).toEqual(['mon→cache:9100', 'mon→cache:9121', 'mon→db:9187', 'mon→db:9200', 'mon→proxy:9100', 'mon→proxy:9113']);
  });

  it('marks flows to external hosts as not enforced (nothing pvestack can write a rule on)', () => {
    expect(
      reachability(env())
        .filter((f) => f.origin === 'monitoring')
        .every((f) => !f.enforced),
    ).toBe(true);
  });

  it('adds nothing a declared connection already allows', () => {
    const e = env([{ from: ['mon'], to: ['db'], ports: ['tcp/9100-9300'], description: 'scrapes' }]);
    expect(monitoringFlows(e).sort()).toEqual(['mon→cache:9100', 'mon→cache:9121', 'mon→proxy:9100', 'mon→proxy:9113']);
    expect(reachability(e).filter((f) => f.to.kind === 'guest' && f.to.name === 'db' && f.from.kind === 'guest' && f.from.name === 'mon')).toHaveLength(1);
  });
});
