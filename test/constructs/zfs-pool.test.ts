import { testingApp } from '../support/testing-app';
import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ProxmoxZfsPool, zfsRaidLevel } from '../../constructs';
import type { ZfsLayout } from '../../model';
import { fixtureEnv, resourceAt, synthEnv } from './fixture';

describe('zfsRaidLevel', () => {
  it.each<[ZfsLayout, number, string | undefined]>([
    ['stripe', 1, 'single'],
    ['stripe', 2, undefined],
    ['mirror', 2, 'mirror'],
    ['mirror', 3, 'mirror'],
    ['raid10', 4, 'raid10'],
    ['raidz1', 3, 'raidz'],
    ['raidz2', 4, 'raidz2'],
    ['raidz3', 5, 'raidz3'],
  ])('%s with %i disks -> %s', (layout, n, level) => {
    expect(zfsRaidLevel(layout, n)).toBe(level);
  });
});

describe('ProxmoxZfsPool', () => {
  it('creates the pool on the node and registers it as storage', () => {
    const tf = synthEnv(fixtureEnv());
    expect(resourceAt(tf, 'proxmox_node_disk_zfs', 'zfs-tank')).toEqual({
      name: 'tank',
      node_name: 'pve1',
      raidlevel: 'mirror',
      devices: ['/dev/disk/by-id/nvme-a', '/dev/disk/by-id/nvme-b'],
      ashift: 12,
      compression: 'lz4',
      add_storage: false,
    });
    expect(resourceAt(tf, 'proxmox_storage_zfspool', 'zfs-tank_Storage')).toMatchObject({
      id: 'tank',
      zfs_pool: 'tank',
      nodes: ['pve1'],
      content: ['images', 'rootdir'],
      depends_on: [expect.stringMatching(/^proxmox_node_disk_zfs\.zfs-tank_/)],
    });
  });

  it('leaves a multi-disk stripe to the host playbook and still registers it', () => {
    const tf = synthEnv(fixtureEnv((s) => (s.zfsPools[0] = { ...s.zfsPools[0]!, layout: 'stripe' })));
    expect(tf.resource.proxmox_node_disk_zfs).toBeUndefined();
    expect(resourceAt(tf, 'proxmox_storage_zfspool', 'zfs-tank_Storage')).not.toHaveProperty('depends_on');
  });

  it('reports usable capacity from the layout', () => {
    const env = fixtureEnv(
      (s) => (s.zfsPools[0] = { ...s.zfsPools[0]!, layout: 'raidz2', disks: [1, 2, 3, 4, 5, 6].map((i) => `/dev/disk/by-id/hdd-${i}`), diskSizeGib: 4000 }),
    );
    const pool = new ProxmoxZfsPool(new TerraformStack(testingApp(), 's'), 'p', { pool: env.zfsPools[0]! });
    expect(pool.usableCapacityGib).toBe(16000);
  });

  it('synthesizes as snapshotted', () => {
    const tf = synthEnv(fixtureEnv());
    expect({ pool: tf.resource.proxmox_node_disk_zfs, storage: tf.resource.proxmox_storage_zfspool }).toMatchSnapshot();
  });
});
