import { describe, expect, it } from 'vitest';
import { renderMermaid } from '../../graph/mermaid';
import { nodeId, topology } from '../../graph/topology';
import { endpointLabel, reachability } from '../../model';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

describe('renderMermaid', () => {
  it.each(environmentNames())('%s: every allowed flow appears exactly once', (name) => {
    const env = loadEnvironment(name);
    const text = renderMermaid(env);
    const flowLines = text.split('\n').filter((l) => l.includes('-->|'));
    const flows = reachability(env);
    expect(flowLines).toHaveLength(flows.length);
    for (const f of flows) {
      const line = `  ${nodeId(endpointLabel(f.from))} -->|"${f.port}"| ${nodeId(endpointLabel(f.to))}`;
      expect(flowLines.filter((l) => l === line)).toHaveLength(1);
    }
  });

  it('draws staging: node load, guests inside their node, the storage box mount and the public entry', () => {
    const text = renderMermaid(loadEnvironment('staging'));
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(text).toMatch(
      /subgraph group_pve_stg\["pve-stg · RAM 28\/64 GiB · CPU 10 vCPU\/24 threads"\]\n( {4}.*\n)* {4}db\["db · vm db · stateful<br\/>10\.30\.0\.20/,
    );
    expect(text).toContain('  db -.->|"cifs :445"| box_offsite');
    expect(text).toContain('  internet -->|"tcp/443"| web');
  });

  it('shows GPU use per node and ZFS pools with usable capacity (production)', () => {
    const t = topology(loadEnvironment('production'));
    expect(t.groups.find((g) => g.id === 'group_pve4')!.label).toMatch(/GPU 1\/1$/);
    expect(t.nodes.find((n) => n.id === 'pool_tank_db')!.label).toMatch(/ZFS tank-db · raid10 · 4×5120 GiB · 10240 GiB usable/);
  });

  it('keeps ids out of the Mermaid and DOT keywords', () => {
    expect(nodeId('end')).toBe('end_');
    expect(nodeId('cidr:10.0.0.0/8')).toBe('cidr_10_0_0_0_8');
  });
});
