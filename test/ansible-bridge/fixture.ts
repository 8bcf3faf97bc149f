/**
 * A small environment for the Ansible bridge tests: one GPU node with a ZFS pool and an address,
 * one node without either, a VM with a GPU and a data disk, an LXC container, and an external
 * proxy that mounts two Storage Boxes (CIFS and SSHFS). `edge` can be pointed at a test sshd.
 */
import type { EnvironmentSpec } from '../../model';

export const FIXTURE_SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G test@example.org';

export function smallSpec(opts: { name?: string; edgePort?: number; edgeUser?: string } = {}): EnvironmentSpec {
  return {
    name: opts.name ?? 'lab-small',
    cluster: {
      nodes: [
        {
          name: 'pve-a',
          address: '192.0.2.10',
          cpuThreads: 32,
          memoryGib: 128,
          gpus: [
            { name: 'gpu-a-0', pciAddress: '0000:01:00.0', model: 'NVIDIA L4', vramGib: 24, deviceId: '10de:27b8' },
            { name: 'gpu-a-1', pciAddress: '0000:02:00.0', model: 'NVIDIA L4', vramGib: 24, deviceId: '10de:27b8' },
          ],
        },
        { name: 'pve-b', cpuThreads: 16, memoryGib: 64 },
      ],
    },
    networks: [{ name: 'lan', bridge: 'vmbr0', cidr: '10.30.0.0/24', gateway: '10.30.0.1' }],
    admin: { cidrs: ['198.51.100.0/24'], sshKeys: [FIXTURE_SSH_KEY] },
    zfsPools: [{ name: 'tank', node: 'pve-a', layout: 'mirror', disks: ['/dev/disk/by-id/a', '/dev/disk/by-id/b'], diskSizeGib: 2000 }],
    storageBoxes: [
      { name: 'backup', host: 'u111111.your-storagebox.de', user: 'u111111', passwordSecret: 'box-password' },
      {
        name: 'models',
        host: 'u222222.your-storagebox.de',
        user: 'u222222-sub1',
        sshKeySecret: 'box-key',
        hostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G'],
      },
    ],
    secrets: {
      'box-password': { env: 'PVESTACK_TEST_BOX_PASSWORD', description: 'CIFS password of the backup box.' },
      'box-key': { env: 'PVESTACK_TEST_BOX_KEY', description: 'SSH key of the models box.' },
      'redis-password': { env: 'PVESTACK_TEST_REDIS_PASSWORD', description: 'Redis password.' },
    },
    guests: [
      {
        name: 'infer',
        kind: 'vm',
        role: 'llm',
        node: 'pve-a',
        cores: 8,
        memoryGib: 32,
        gpus: ['gpu-a-0'],
        disks: [
          { sizeGib: 40, datastore: 'local-lvm' },
          { name: 'models', sizeGib: 500, datastore: 'tank', mountPoint: '/srv/models' },
        ],
        ipv4: '10.30.0.20',
        stacks: [{ kind: 'vllm', model: 'Qwen/Qwen2.5-1.5B-Instruct', gpuMemoryUtilization: 0.9, maxModelLen: 4096, apiKeySecret: 'redis-password' }],
      },
      {
        name: 'kv',
        kind: 'lxc',
        role: 'cache',
        node: 'pve-b',
        cores: 2,
        memoryGib: 4,
        disks: [{ sizeGib: 8, datastore: 'local-lvm' }],
        ipv4: '10.30.0.21',
        stacks: [{ kind: 'redis', passwordSecret: 'redis-password' }],
      },
      {
        name: 'edge',
        kind: 'external',
        role: 'proxy',
        cores: 2,
        memoryGib: 2,
        ipv4: '127.0.0.1',
        sshPort: opts.edgePort ?? 22,
        sshUser: opts.edgeUser ?? 'root',
        storageBoxMounts: [
          { box: 'backup', mountPoint: '/mnt/backup', protocol: 'cifs', subdirectory: 'edge' },
          { box: 'models', mountPoint: '/mnt/models', protocol: 'sshfs' },
        ],
      },
    ],
  };
}
