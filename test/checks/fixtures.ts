/**
 * A small, valid two-node environment that passes every check, and helpers to break it one field
 * at a time: `env((s) => { s.guests[1].ipv4 = '10.0.1.5'; })`.
 */
import { runChecks } from '../../checks';
import type { CheckOptions, Finding } from '../../checks';
import { type Environment, type EnvironmentSpec, validateEnvironment } from '../../model';

type DeepMutable<T> = T extends (infer U)[]
  ? DeepMutable<U>[]
  : T extends readonly (infer U)[]
    ? DeepMutable<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
      : T;
/** A spec the test may edit freely (loosely typed so that a test can set any field). */
export type Draft = DeepMutable<EnvironmentSpec> & { guests: any[]; cluster: any; connections: any[]; secrets: any; checks?: any; zfsPools: any[] };

export function baseSpec(): Draft {
  return {
    name: 'fixture',
    cluster: {
      nodes: [
        {
          name: 'pve1',
          cpuThreads: 32,
          memoryGib: 128,
          datastores: [
            { id: 'local-lvm', type: 'lvmthin', media: 'nvme', capacityGib: 1000 },
            { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
          ],
          gpus: [
            {
              name: 'gpu0',
              pciAddress: '0000:01:00.0',
              model: 'NVIDIA RTX 6000 Ada',
              vramGib: 48,
              deviceId: '10de:26b1',
              subsystemId: '10de:16a1',
              iommuGroup: 14,
              allFunctions: true,
            },
            {
              name: 'gpu1',
              pciAddress: '0000:02:00.0',
              model: 'NVIDIA RTX 6000 Ada',
              vramGib: 48,
              deviceId: '10de:26b1',
              subsystemId: '10de:16a1',
              iommuGroup: 15,
              allFunctions: true,
            },
          ],
        },
        {
          name: 'pve2',
          cpuThreads: 16,
          memoryGib: 64,
          datastores: [
            { id: 'local-lvm', type: 'lvmthin', media: 'ssd', capacityGib: 500 },
            { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
          ],
        },
      ],
    },
    networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.0.0.0/24', gateway: '10.0.0.1' }],
    admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G ops@example.org'] },
    zfsPools: [{ name: 'tank', node: 'pve1', layout: 'mirror', disks: ['/dev/disk/by-id/a', '/dev/disk/by-id/b'], diskSizeGib: 2000 }],
    storageBoxes: [{ name: 'offsite', host: 'u1.your-storagebox.de', user: 'u1', passwordSecret: 'box-password' }],
    guests: [
      {
        name: 'proxy',
        kind: 'vm',
        role: 'proxy',
        node: 'pve2',
        vmId: 101,
        cores: 2,
        memoryGib: 4,
        disks: [{ sizeGib: 20, datastore: 'local-lvm' }],
        ipv4: '10.0.0.10',
        stacks: [{ kind: 'nginx-proxy', serverName: 'app.example.org', upstreams: ['web'] }],
      },
      {
        name: 'web',
        kind: 'vm',
        role: 'web',
        node: 'pve2',
        vmId: 102,
        cores: 4,
        memoryGib: 8,
        disks: [{ sizeGib: 40, datastore: 'local-lvm' }],
        ipv4: '10.0.0.11',
        stacks: [{ kind: 'nextjs', image: 'ghcr.io/example/web:1.0.0', env: { NODE_ENV: 'production' }, secrets: ['session-secret'] }],
      },
      {
        name: 'db',
        kind: 'vm',
        role: 'db',
        node: 'pve1',
        vmId: 103,
        cores: 8,
        memoryGib: 32,
        disks: [
          { sizeGib: 32, datastore: 'local-lvm' },
          { name: 'pgdata', sizeGib: 500, datastore: 'tank', mountPoint: '/var/lib/postgresql' },
        ],
        ipv4: '10.0.0.20',
        storageBoxMounts: [{ box: 'offsite' }],
        stacks: [{ kind: 'postgres', database: 'app', passwordSecret: 'db-password', backup: { mountPoint: '/mnt/storagebox' } }],
      },
      {
        name: 'llm',
        kind: 'vm',
        role: 'llm',
        node: 'pve1',
        vmId: 104,
        cores: 8,
        memoryGib: 48,
        gpus: ['gpu0'],
        disks: [
          { sizeGib: 32, datastore: 'local-lvm' },
          { name: 'models', sizeGib: 200, datastore: 'tank', mountPoint: '/srv/models' },
        ],
        ipv4: '10.0.0.30',
        stacks: [
          { kind: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct', dtype: 'bfloat16', gpuMemoryUtilization: 0.9, maxModelLen: 8192, apiKeySecret: 'vllm-key' },
        ],
      },
    ],
    connections: [
      { from: 'internet', to: 'proxy', ports: ['tcp/80', 'tcp/443'] },
      { from: 'proxy', to: 'web', ports: 'tcp/3000' },
      { from: 'web', to: 'db', ports: 'tcp/5432' },
      { from: 'web', to: 'llm', ports: 'tcp/8000' },
    ],
    secrets: {
      'db-password': { env: 'APP_DB_PASSWORD', description: 'Password of the application database user.' },
      'vllm-key': { env: 'APP_VLLM_KEY', description: 'Bearer key for the vLLM API.' },
      'box-password': { env: 'APP_BOX_PASSWORD', description: 'Storage Box CIFS password.' },
      'session-secret': { env: 'APP_SESSION_SECRET', description: 'Session signing key of the web app.' },
    },
  };
}

/** The base environment with `edit` applied, validated like any spec. */
export function env(edit: (spec: Draft) => void = () => {}): Environment {
  const spec = baseSpec();
  edit(spec);
  return validateEnvironment(spec, 'fixture');
}

/** Findings of one rule (suppressed ones included). */
export function findings(environment: Environment, rule: string, options: CheckOptions = {}): Finding[] {
  return runChecks(environment, options).findings.filter((f) => f.rule === rule);
}
