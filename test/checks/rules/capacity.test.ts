import { describe, expect, it } from 'vitest';
import { CAPACITY_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

describe('capacity rules', () => {
  it('the base fixture has no capacity findings', () => {
    const e = env();
    for (const rule of CAPACITY_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, string, (s: Draft) => void, string, string[]]>([
    [
      'node RAM exceeded by guests + reserve + ARC',
      'PVE-CAP-001',
      (s) => (s.guests[3].memoryGib = 96),
      'cluster.nodes[0]',
      ['node pve1 needs 144.8 GiB RAM > 128 GiB', 'guests 128 GiB (llm 96, db 32)', 'host reserve 4 GiB', 'ZFS ARC 12.8 GiB'],
    ],
    [
      'host reserve is configurable',
      'PVE-CAP-001',
      (s) => (s.checks = { hostReserveGib: 40 }),
      'cluster.nodes[0]',
      ['needs 132.8 GiB RAM > 128 GiB', 'host reserve 40 GiB'],
    ],
    [
      'GPU and db guests count 1:1',
      'PVE-CAP-002',
      (s) => {
        s.guests[2].cores = 24;
        s.guests[3].cores = 16;
      },
      'cluster.nodes[0]',
      ['node pve1 needs 40.0 threads > 32', '40 dedicated vCPU 1:1 (GPU/db guests: db 24, llm 16)', '0 shared vCPU at 4:1'],
    ],
    [
      'shared guests at the configured overcommit',
      'PVE-CAP-002',
      (s) => {
        s.guests[1].cores = 16;
        s.checks = { cpuOvercommit: 1 };
      },
      'cluster.nodes[1]',
      ['node pve2 needs 18.0 threads > 16', '18 shared vCPU at 1:1 = 18.0'],
    ],
    ['a guest wider than its node', 'PVE-CAP-003', (s) => (s.guests[1].cores = 20), 'guests[1].cores', ['web has 20 vCPU but node pve2 has 16 threads']],
    [
      'ZFS pool claims above the layout capacity',
      'PVE-CAP-004',
      (s) => (s.guests[2].disks[1].sizeGib = 2500),
      'zfsPools[0]',
      ['datastore tank on pve1: disks claim 2700 GiB > 2000 GiB usable (mirror of 2 × 2000 GiB)', 'db.pgdata 2500', 'llm.models 200'],
    ],
    [
      'plain datastore claims above capacity',
      'PVE-CAP-004',
      (s) => (s.guests[1].disks[0].sizeGib = 490),
      'cluster.nodes[1].datastores[0]',
      ['datastore local-lvm on pve2: disks claim 510 GiB > 500 GiB capacity'],
    ],
    [
      'a used datastore without capacity is information',
      'PVE-CAP-005',
      (s) => delete s.cluster.nodes[1].datastores[0].capacityGib,
      'cluster.nodes[1].datastores[0]',
      ['datastore local-lvm on pve2 has no capacityGib'],
    ],
  ])('%s → %s', (_name, rule, edit, path, fragments) => {
    const found = findings(env(edit), rule);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(path);
    for (const text of fragments) expect(found[0]!.message).toContain(text);
  });

  it('a node without capacity problems but no datastore capacity is info, not an error', () => {
    const [f] = findings(
      env((s) => delete s.cluster.nodes[1].datastores[0].capacityGib),
      'PVE-CAP-005',
    );
    expect(f!.severity).toBe('info');
  });
});
