/**
 * The education platform's 5-node cluster (architecture A): shared by `production` and its
 * broken twin `production-as-planned`. Addresses are documentation/private ranges.
 */
import type { AdminSpec, NetworkSpec, NodeSpec, SecretSpec, StorageBoxSpec, ZfsPoolSpec } from '../../model';

export const ADMIN: AdminSpec = {
  // The admins' WireGuard range; SSH (22) and the Proxmox UI (8006) open only to it.
  cidrs: ['198.51.100.0/24'],
  sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G ops@example.org'],
  user: 'ops',
};

export const PRIVATE_NETWORK: NetworkSpec = {
  name: 'private',
  bridge: 'vmbr1',
  cidr: '10.20.0.0/24',
  gateway: '10.20.0.1',
  dns: ['10.20.0.1'],
  domain: 'edu.internal',
};

const NVME: NodeSpec['datastores'] = [
  { id: 'local-lvm', type: 'lvmthin', media: 'nvme', capacityGib: 1800 },
  // The installer's local storage plus snippets (cloud-init) and import (cloud images); the
  // proxmox-host-storage playbook adds both before the first apply.
  { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
];

export const NODES: NodeSpec[] = [
  { name: 'pve1', cpuThreads: 32, memoryGib: 128, datastores: NVME },
  { name: 'pve2', cpuThreads: 32, memoryGib: 128, datastores: NVME },
  { name: 'pve3', cpuThreads: 64, memoryGib: 256, datastores: NVME },
  {
    name: 'pve4',
    cpuThreads: 48,
    memoryGib: 192,
    datastores: NVME,
    gpus: [
      {
        name: 'gpu-pve4-0',
        pciAddress: '0000:01:00.0',
        model: 'NVIDIA RTX 6000 Ada',
        vramGib: 48,
        deviceId: '10de:26b1',
        // `lspci -nns 0000:01:00.0 -v` and `readlink /sys/bus/pci/devices/0000:01:00.0/iommu_group` on pve4.
        subsystemId: '10de:16a1',
        iommuGroup: 14,
        // The DisplayPort audio function 01:00.1 shares group 14, so the whole card is passed.
        allFunctions: true,
        computeCapability: 8.9,
      },
    ],
  },
  {
    name: 'pve5',
    cpuThreads: 32,
    memoryGib: 192,
    datastores: NVME,
    gpus: [
      {
        name: 'gpu-pve5-0',
        pciAddress: '0000:41:00.0',
        model: 'NVIDIA RTX 4000 Ada',
        vramGib: 20,
        deviceId: '10de:27b2',
        subsystemId: '10de:181b',
        iommuGroup: 42,
        allFunctions: true,
        computeCapability: 8.9,
      },
    ],
  },
];

/** 47 TB in four pools, as planned: speed where data can be re-created, redundancy elsewhere. */
export const ZFS_POOLS: ZfsPoolSpec[] = [
  {
    name: 'tank-db',
    node: 'pve3',
    layout: 'raid10',
    disks: ['/dev/disk/by-id/nvme-db-a', '/dev/disk/by-id/nvme-db-b', '/dev/disk/by-id/nvme-db-c', '/dev/disk/by-id/nvme-db-d'],
    diskSizeGib: 5120,
    media: 'nvme',
  },
  {
    name: 'tank-app',
    node: 'pve1',
    layout: 'mirror',
    disks: ['/dev/disk/by-id/ssd-app-a', '/dev/disk/by-id/ssd-app-b'],
    diskSizeGib: 5120,
    media: 'ssd',
  },
  {
    name: 'tank-models',
    node: 'pve4',
    layout: 'stripe',
    disks: ['/dev/disk/by-id/nvme-models-a', '/dev/disk/by-id/nvme-models-b'],
    diskSizeGib: 1536,
    media: 'nvme',
  },
  {
    name: 'tank-backup',
    node: 'pve5',
    layout: 'raidz2',
    disks: [1, 2, 3, 4, 5, 6].map((i) => `/dev/disk/by-id/hdd-backup-${i}`),
    diskSizeGib: 7450,
    media: 'hdd',
  },
];

export const STORAGE_BOXES: StorageBoxSpec[] = [
  {
    name: 'offsite',
    host: 'u123456.your-storagebox.de',
    user: 'u123456',
    capacityGib: 5120,
    passwordSecret: 'storagebox-password',
  },
];

export const SECRETS: Record<string, SecretSpec> = {
  'postgres-password': { env: 'PVESTACK_POSTGRES_PASSWORD', description: 'Password of the application database user; rotated by the DBA.' },
  'redis-password': { env: 'PVESTACK_REDIS_PASSWORD', description: 'Redis AUTH password for sessions and queues.' },
  'vllm-api-key': { env: 'PVESTACK_VLLM_API_KEY', description: 'Bearer key the web tier and workers send to the vLLM API.' },
  'session-secret': { env: 'PVESTACK_SESSION_SECRET', description: 'Next.js session signing key.' },
  'grafana-admin': { env: 'PVESTACK_GRAFANA_ADMIN_PASSWORD', description: 'Grafana admin password.' },
  'storagebox-password': { env: 'PVESTACK_STORAGEBOX_PASSWORD', description: 'CIFS password of the Storage Box account used for backups.' },
  'hf-token': { env: 'PVESTACK_HF_TOKEN', description: 'Hugging Face read token for downloading model weights.' },
};
