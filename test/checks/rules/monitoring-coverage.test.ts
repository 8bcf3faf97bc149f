import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../stacks/registry';
import { testEnvironment } from '../../templates/fixtures';
import { findings } from '../fixtures';

const monitoring = (targets: string[]) => ({ kind: 'monitoring' as const, targets, grafanaAdminSecret: 'grafana-admin' });
const redis = { kind: 'redis' as const, passwordSecret: 'redis-password' };
const l4 = { name: 'gpu0', pciAddress: '0000:01:00.0', model: 'NVIDIA L4', vramGib: 24 };

describe('PVE-DATA-005 every guest that runs stacks is scraped when the environment has monitoring', () => {
  it('reports a guest with stacks that no monitoring stack lists, naming the exporters and alerts it misses', () => {
    const e = testEnvironment([
      { name: 'mon', stacks: [monitoring(['cache'])] },
      { name: 'cache', stacks: [redis] },
      { name: 'gpu', stacks: [redis], hostGpus: [l4] },
      { name: 'idle' },
    ]);
    const found = findings(e, 'PVE-DATA-005');
    expect(found.map((f) => f.guest)).toEqual(['gpu']);
    expect(found[0]).toMatchObject({ severity: 'info', path: 'guests[2].stacks' });
    expect(found[0]!.message).toContain('no node-exporter or dcgm-exporter runs there, so the disk and GPU memory alerts never fire');
    expect(found[0]!.hint).toContain('Add gpu to the targets of the monitoring stack on mon');
  });

  it('says nothing in an environment without monitoring, or where every guest with stacks is scraped', () => {
    expect(findings(testEnvironment([{ name: 'cache', stacks: [redis] }]), 'PVE-DATA-005')).toEqual([]);
    expect(findings(loadEnvironment('production'), 'PVE-DATA-005')).toEqual([]);
  });

  it('lab: the production mirror scrapes the shared guests (portainer and the GPU containers)', () => {
    expect(findings(loadEnvironment('lab'), 'PVE-DATA-005')).toEqual([]);
  });
});

describe('PVE-FW-005 on a port a derived exporter takes', () => {
  it('says how to move the derived exporter or leave it out', () => {
    const e = testEnvironment([
      { name: 'mon', stacks: [monitoring(['app'])] },
      { name: 'app', stacks: [{ kind: 'compose', name: 'x', services: [{ name: 'ne', image: 'example/ne:1', ports: ['10.0.0.11:9100:9100'] }] }] },
    ]);
    const [clash] = findings(e, 'PVE-FW-005');
    expect(clash!.message).toBe('app: x/ne and node-exporter/node-exporter all listen on tcp/9100');
    expect(clash!.hint).toContain('monitoringExporters: false');
  });
});
