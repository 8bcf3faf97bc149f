import { describe, expect, it } from 'vitest';
import { nodeHostVars, guestHostVars } from '../../../ansible-bridge/host-vars';
import { validateEnvironment } from '../../../model';
import { guestSysctlFiles, nodeSysctlFiles, REDIS_SYSCTL_PATH } from '../../../templates/redis/kernel-settings';
import { smallSpec } from '../../ansible-bridge/fixture';

const spec = smallSpec();
const env = validateEnvironment(
  { ...spec, guests: spec.guests.map((g) => (g.name === 'edge' ? { ...g, stacks: [{ kind: 'redis' as const, passwordSecret: 'redis-password' }] } : g)) },
  'test',
);
const guest = (name: string) => env.guests.find((g) => g.name === name)!;
const node = (name: string) => env.cluster.nodes.find((n) => n.name === name)!;
const REDIS_FILE = { path: REDIS_SYSCTL_PATH, content: 'vm.overcommit_memory = 1\n' };

describe('where Redis gets vm.overcommit_memory = 1', () => {
  it('an external host running Redis writes it itself (guest-baseline)', () => {
    expect(guestSysctlFiles(guest('edge'))).toEqual([{ ...REDIS_FILE, reason: 'Redis on edge' }]);
    expect(guestHostVars(env, guest('edge')).pvestack_sysctl_files).toEqual([{ ...REDIS_FILE, reason: 'Redis on edge' }]);
  });

  it('a Redis container cannot: the node that hosts it gets the file (proxmox-host-sysctl)', () => {
    expect(guestSysctlFiles(guest('kv'))).toEqual([]);
    expect(nodeSysctlFiles(env.guests.filter((g) => g.node === 'pve-b'))).toEqual([{ ...REDIS_FILE, reason: 'Redis on kv' }]);
    expect(nodeHostVars(env, node('pve-b')).pvestack_sysctl_files).toEqual([{ ...REDIS_FILE, reason: 'Redis on kv' }]);
  });

  it('a node without Redis containers and guests without Redis get nothing (VMs get theirs from cloud-init)', () => {
    expect(nodeHostVars(env, node('pve-a')).pvestack_sysctl_files).toBeUndefined();
    expect(guestHostVars(env, guest('infer')).pvestack_sysctl_files).toBeUndefined();
  });
});
