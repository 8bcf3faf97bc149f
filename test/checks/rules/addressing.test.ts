import { describe, expect, it } from 'vitest';
import { ADDRESSING_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

describe('addressing rules', () => {
  it('the base fixture has no addressing findings', () => {
    const e = env();
    for (const rule of ADDRESSING_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, string, (s: Draft) => void, string, string]>([
    [
      'address outside the CIDR',
      'PVE-NET-001',
      (s) => (s.guests[1].ipv4 = '10.0.1.5'),
      'guests[1].ipv4',
      'web has 10.0.1.5, outside network private 10.0.0.0/24 (guest addresses 10.0.0.2–10.0.0.254, gateway 10.0.0.1)',
    ],
    ['duplicate address', 'PVE-NET-002', (s) => (s.guests[1].ipv4 = '10.0.0.10'), 'guests[1].ipv4', 'web and proxy both have 10.0.0.10 on network private'],
    ['the gateway', 'PVE-NET-003', (s) => (s.guests[1].ipv4 = '10.0.0.1'), 'guests[1].ipv4', 'web has 10.0.0.1, the gateway of network private 10.0.0.0/24'],
    ['the network address', 'PVE-NET-003', (s) => (s.guests[1].ipv4 = '10.0.0.0'), 'guests[1].ipv4', 'the network address of network private'],
    ['the broadcast address', 'PVE-NET-003', (s) => (s.guests[1].ipv4 = '10.0.0.255'), 'guests[1].ipv4', 'web has 10.0.0.255, the broadcast address'],
    ['duplicate VM id', 'PVE-NET-004', (s) => (s.guests[1].vmId = 101), 'guests[1].vmId', 'web and proxy both have VM id 101'],
    ['VM id outside the range', 'PVE-NET-005', (s) => (s.guests[1].vmId = 5000), 'guests[1].vmId', 'web has VM id 5000, outside cluster.vmIdRange 100–999'],
    [
      'VM id outside a configured range',
      'PVE-NET-005',
      (s) => (s.cluster.vmIdRange = { from: 200, to: 299 }),
      'guests[0].vmId',
      'proxy has VM id 101, outside cluster.vmIdRange 200–299',
    ],
    [
      'a NIC tag on a bridge already on that VLAN',
      'PVE-NET-006',
      (s) => Object.assign(s.networks[0], { bridge: 'vmbr4000', vlan: 4000, bridgeVlan: 4000 }),
      'networks[0].vlan',
      'network private tags the NICs of proxy, web, db, llm with VLAN 4000, but bridge vmbr4000 already sits on VLAN 4000 (bridgeVlan): their frames would leave tagged twice',
    ],
    [
      'a NIC tag on a bridge named after that VLAN',
      'PVE-NET-006',
      (s) => Object.assign(s.networks[0], { bridge: 'vmbr4000', vlan: 4000 }),
      'networks[0].vlan',
      'but bridge vmbr4000 is named after VLAN 4000',
    ],
  ])('%s → %s', (_name, rule, edit, path, text) => {
    const found = findings(env(edit), rule);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]!.path).toBe(path);
    expect(found[0]!.message).toContain(text);
  });

  // Hints a person can follow as written: a concrete free address (never the gateway), a free VM id.
  it.each<[string, string, (s: Draft) => void, string]>([
    [
      'address outside the CIDR',
      'PVE-NET-001',
      (s) => (s.guests[1].ipv4 = '10.0.1.5'),
      'Use a free address such as 10.0.0.2, or attach the guest to the network that holds 10.0.1.5.',
    ],
    [
      'the gateway',
      'PVE-NET-003',
      (s) => (s.guests[1].ipv4 = '10.0.0.1'),
      'Use a free address such as 10.0.0.2 (guest addresses are 10.0.0.2–10.0.0.254, other than the gateway 10.0.0.1).',
    ],
    [
      'a gateway at the top of the network',
      'PVE-NET-001',
      (s) => ((s.networks[0].gateway = '10.0.0.254'), (s.guests[1].ipv4 = '10.0.1.5')),
      'Use a free address such as 10.0.0.1, or attach the guest to the network that holds 10.0.1.5.',
    ],
    [
      'duplicate address',
      'PVE-NET-002',
      (s) => (s.guests[1].ipv4 = '10.0.0.10'),
      'Give each guest its own address (a free address such as 10.0.0.2); the second one to boot loses its network.',
    ],
    [
      'duplicate VM id',
      'PVE-NET-004',
      (s) => (s.guests[1].vmId = 101),
      'VM ids are cluster-wide: give web its own id (100 is free in 100–999), or leave vmId out to have one assigned.',
    ],
    [
      'duplicate VM id at the start of the range',
      'PVE-NET-004',
      (s) => ((s.cluster.vmIdRange = { from: 101, to: 199 }), (s.guests[1].vmId = 101)),
      'VM ids are cluster-wide: give web its own id (102 is free in 101–199), or leave vmId out to have one assigned.',
    ],
  ])('hint for %s (%s)', (_name, rule, edit, hint) => {
    expect(findings(env(edit), rule)[0]!.hint).toBe(hint);
  });

  it('says when a network has no free address left', () => {
    const e = env((s) => {
      s.networks[0].cidr = '10.0.0.0/29';
      s.networks[0].gateway = '10.0.0.1';
      s.guests[1].ipv4 = '10.0.1.5';
      s.guests.push(
        ...['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].map((ipv4, i) => ({
          name: `ext${i}`,
          kind: 'external',
          role: 'app',
          cores: 1,
          memoryGib: 1,
          ipv4,
        })),
      );
    });
    expect(findings(e, 'PVE-NET-001')[0]!.hint).toContain('a free address (none is left in 10.0.0.0/29: widen it or add a network)');
  });

  it('external hosts keep their own addresses', () => {
    const e = env((s) => s.guests.push({ name: 'vps', kind: 'external', role: 'app', cores: 2, memoryGib: 4, ipv4: '203.0.113.7' }));
    expect(findings(e, 'PVE-NET-001')).toEqual([]);
  });

  it('PVE-NET-006 names both fixes, and stays quiet for an untagged NIC on a VLAN bridge or a tag on a plain bridge', () => {
    const [f] = findings(
      env((s) => Object.assign(s.networks[0], { bridge: 'vmbr4000', vlan: 4000 })),
      'PVE-NET-006',
    );
    expect(f!.severity).toBe('warning');
    expect(f!.hint).toContain('remove vlan and set bridgeVlan: 4000');
    expect(f!.hint).toContain('bridge-vlan-aware yes');
    expect(
      findings(
        env((s) => Object.assign(s.networks[0], { bridge: 'vmbr4000', bridgeVlan: 4000 })),
        'PVE-NET-006',
      ),
    ).toEqual([]);
    expect(
      findings(
        env((s) => Object.assign(s.networks[0], { bridge: 'vmbr1', vlan: 20 })),
        'PVE-NET-006',
      ),
    ).toEqual([]);
  });
});
