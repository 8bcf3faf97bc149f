/**
 * A small environment for construct tests: one GPU node with two cards, a stateless web VM, a
 * stateful database VM, a GPU VM, a GPU container, a ZFS pool and a Storage Box. `fixtureEnv`
 * takes a mutator so a test states only what it changes.
 */
import { Testing } from 'cdktf';
import { testingApp } from '../support/testing-app';
import type { Environment, EnvironmentSpec, GuestSpec, StorageBoxSpec, ZfsPoolSpec } from '../../model';
import { validateEnvironment } from '../../model';
import { PlatformStack } from '../../stacks/platform-stack';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

/** The fixture spec, with its lists mutable so tests can swap entries. */
export type FixtureSpec = Mutable<EnvironmentSpec> & { guests: GuestSpec[]; zfsPools: ZfsPoolSpec[]; storageBoxes: StorageBoxSpec[] };

export function fixtureSpec(): FixtureSpec {
  return {
    name: 'fixture',
    cluster: {
      nodes: [
        {
          name: 'pve1',
          cpuThreads: 64,
          memoryGib: 256,
          nvidiaDriverVersion: '550.127.05',
          datastores: [
            { id: 'local-lvm', type: 'lvmthin', media: 'nvme' },
            { id: 'slow', type: 'dir', media: 'hdd' },
          ],
          gpus: [
            { name: 'gpu-a', pciAddress: '0000:01:00.0', model: 'NVIDIA L40S', vramGib: 48, deviceId: '10de:26b9', subsystemId: '10de:1851', iommuGroup: 14 },
            { name: 'gpu-b', pciAddress: '0000:41:00.0', model: 'NVIDIA L4', vramGib: 24, deviceId: '10de:27b8' },
          ],
        },
      ],
      vmIdRange: { from: 100, to: 199 },
    },
    networks: [{ name: 'lan', bridge: 'vmbr1', cidr: '10.9.0.0/24', gateway: '10.9.0.1', domain: 'fx.internal' }],
    admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureKeyOnlyForTests ops@fixture'] },
    guests: [
      {
        name: 'web',
        kind: 'vm',
        role: 'web',
        node: 'pve1',
        vmId: 101,
        cores: 2,
        memoryGib: 4,
        disks: [{ sizeGib: 20, datastore: 'local-lvm' }],
        ipv4: '10.9.0.11',
        stacks: [{ kind: 'nextjs', image: 'ghcr.io/fx/web:1.0.0', secrets: ['session'] }],
      },
      {
        name: 'db',
        kind: 'vm',
        role: 'db',
        node: 'pve1',
        vmId: 102,
        cores: 4,
        memoryGib: 16,
        disks: [
          { sizeGib: 32, datastore: 'local-lvm' },
          { name: 'pgdata', sizeGib: 500, datastore: 'tank', mountPoint: '/var/lib/postgresql' },
        ],
        ipv4: '10.9.0.20',
        storageBoxMounts: [{ box: 'offsite', subdirectory: 'fx/db' }],
        stacks: [{ kind: 'postgres', database: 'app', passwordSecret: 'pg', backup: { mountPoint: '/mnt/storagebox' } }],
      },
      {
        name: 'llm',
        kind: 'vm',
        role: 'llm',
        node: 'pve1',
        vmId: 103,
        cores: 8,
        memoryGib: 64,
        gpus: ['gpu-a'],
        disks: [{ sizeGib: 64, datastore: 'local-lvm' }],
        ipv4: '10.9.0.30',
        stacks: [{ kind: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct', gpuMemoryUtilization: 0.9, maxModelLen: 8192, apiKeySecret: 'vllm' }],
      },
      {
        name: 'infer',
        kind: 'lxc',
        role: 'ml',
        node: 'pve1',
        vmId: 104,
        cores: 2,
        memoryGib: 8,
        gpus: ['gpu-b'],
        disks: [
          { sizeGib: 16, datastore: 'local-lvm' },
          { name: 'cache', sizeGib: 100, datastore: 'slow', mountPoint: '/srv/cache' },
        ],
        ipv4: '10.9.0.31',
        stacks: [{ kind: 'open-webui' }],
      },
    ],
    zfsPools: [{ name: 'tank', node: 'pve1', layout: 'mirror', disks: ['/dev/disk/by-id/nvme-a', '/dev/disk/by-id/nvme-b'], diskSizeGib: 1024, media: 'nvme' }],
    storageBoxes: [{ name: 'offsite', host: 'u100001.your-storagebox.de', user: 'u100001', passwordSecret: 'box', proxmoxStorageId: 'hsb' }],
    connections: [
      { from: 'internet', to: 'web', ports: ['tcp/443'] },
      { from: 'web', to: 'db', ports: 'tcp/5432', description: 'app database' },
      { from: ['role:web', 'cidr:203.0.113.0/24'], to: 'llm', ports: 'tcp/8000-8010' },
    ],
    secrets: {
      session: { env: 'FX_SESSION_SECRET', description: 'session key' },
      pg: { env: 'FX_PG_PASSWORD', description: 'db password' },
      vllm: { env: 'FX_VLLM_KEY', description: 'api key' },
      box: { env: 'FX_BOX_PASSWORD', description: 'box password' },
    },
  };
}

/** The fixture, validated, after `mutate` changed its spec. */
export function fixtureEnv(mutate: (spec: FixtureSpec) => void = () => {}): Environment {
  const spec = fixtureSpec();
  mutate(spec);
  return validateEnvironment(spec, 'test/constructs/fixture.ts');
}

/** Synthesized Terraform JSON of a full PlatformStack. */
export function synthEnv(env: Environment): TfJson {
  const stack = new PlatformStack(testingApp(), { env });
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

export interface TfJson {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** Resources of one type, keyed by the construct path's second segment (the guest or construct id). */
export function resourcesOf(tf: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(tf.resource[type] ?? {});
}

/**
 * The single resource of `type` whose logical id is `<prefix>_<hash>`: `db` for the VM itself,
 * `db_UserData` for its snippet, `db_Firewall_Rules` for its rules.
 */
export function resourceAt(tf: TfJson, type: string, prefix: string): Record<string, unknown> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_[0-9A-F]{8}$`);
  const found = Object.entries(tf.resource[type] ?? {}).filter(([id]) => pattern.test(id));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${prefix}_<hash>, found ${found.length}`);
  return found[0]![1];
}
