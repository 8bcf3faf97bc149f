import { describe, expect, it } from 'vitest';
import { testEnvironment } from '../../templates/fixtures';
import { findings } from '../fixtures';

/** One external guest running Redis with `persistence` at `ipv4`. */
function withRedis(ipv4: string, persistence?: 'aof' | 'rdb' | 'none') {
  const cidr = ipv4.startsWith('127.') ? '127.0.0.0/8' : '10.0.0.0/24';
  return testEnvironment([{ name: 'box', ipv4, stacks: [{ kind: 'redis', passwordSecret: 'redis-password', ...(persistence ? { persistence } : {}) }] }], {
    networks: [{ name: 'n', bridge: 'b', cidr, gateway: ipv4.startsWith('127.') ? '127.0.0.1' : '10.0.0.1' }],
  });
}

describe('PVE-HOST-005 Redis with persistence where pvestack sets vm.overcommit_memory', () => {
  it.each([
    { name: 'a loopback host with the default (aof) persistence', ipv4: '127.0.0.1', persistence: undefined, fires: true },
    { name: 'a loopback host with rdb', ipv4: '127.0.0.1', persistence: 'rdb' as const, fires: true },
    { name: 'a loopback host without persistence (nothing forks)', ipv4: '127.0.0.1', persistence: 'none' as const, fires: false },
    { name: 'an external host on the network (guest-baseline sets it)', ipv4: '10.0.0.10', persistence: 'aof' as const, fires: false },
  ])('$name', ({ ipv4, persistence, fires }) => {
    const found = findings(withRedis(ipv4, persistence), 'PVE-HOST-005');
    if (!fires) return expect(found).toEqual([]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', path: 'guests[0].stacks[0]', guest: 'box' });
    expect(found[0]!.message).toContain(`keeps ${persistence ?? 'aof'} persistence, but pvestack prepares no kernel setting on the local machine`);
    expect(found[0]!.hint).toContain("persistence: 'none'");
  });
});
