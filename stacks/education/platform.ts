/**
 * Architecture A, the education platform: the guests, stacks and firewall intent of the full
 * cluster. `production` uses it with a model that fits; `production-as-planned` with the plan's.
 */
import type { ConnectionSpec, EnvironmentSpec, GuestSpec, VllmStackSpec } from '../../model';
import { ADMIN, NODES, PRIVATE_NETWORK, SECRETS, STORAGE_BOXES, ZFS_POOLS } from './cluster';

const APP_IMAGE = 'ghcr.io/example-edu/web:1.8.2';
const WORKER_IMAGE = 'ghcr.io/example-edu/workers:1.8.2';

const APP_ENV = {
  NODE_ENV: 'production',
  DATABASE_HOST: '10.20.0.20',
  DATABASE_NAME: 'edu',
  REDIS_HOST: '10.20.0.21',
  OPENAI_BASE_URL: 'http://10.20.0.30:8000/v1',
};
const APP_SECRETS = ['postgres-password', 'redis-password', 'vllm-api-key', 'session-secret'];

function web(name: string, node: string, ipv4: string, vmId: number): GuestSpec {
  return {
    name,
    kind: 'vm',
    role: 'web',
    node,
    vmId,
    cores: 8,
    memoryGib: 32,
    disks: [{ sizeGib: 100, datastore: 'local-lvm' }],
    ipv4,
    stacks: [{ kind: 'nextjs', image: APP_IMAGE, port: 3000, env: APP_ENV, secrets: APP_SECRETS }],
  };
}

export interface EducationOptions {
  readonly name: string;
  readonly description: string;
  readonly vllm: VllmStackSpec;
}

export function educationPlatform(opts: EducationOptions): EnvironmentSpec {
  const guests: GuestSpec[] = [
    {
      name: 'proxy',
      kind: 'vm',
      role: 'proxy',
      node: 'pve1',
      vmId: 110,
      cores: 4,
      memoryGib: 8,
      disks: [{ sizeGib: 50, datastore: 'local-lvm' }],
      ipv4: '10.20.0.10',
      stacks: [{ kind: 'nginx-proxy', serverName: 'learn.example.org', upstreams: ['web-1', 'web-2'], upstreamPort: 3000, tls: 'certbot' }],
    },
    web('web-1', 'pve1', '10.20.0.11', 111),
    web('web-2', 'pve2', '10.20.0.12', 112),
    {
      name: 'db',
      kind: 'vm',
      role: 'db',
      node: 'pve3',
      vmId: 120,
      cores: 16,
      memoryGib: 64,
      disks: [
        { sizeGib: 64, datastore: 'local-lvm' },
        { name: 'pgdata', sizeGib: 8192, datastore: 'tank-db', mountPoint: '/var/lib/postgresql' },
      ],
      ipv4: '10.20.0.20',
      storageBoxMounts: [{ box: 'offsite', mountPoint: '/mnt/storagebox', protocol: 'cifs', subdirectory: 'edu/db' }],
      stacks: [
        {
          kind: 'postgres',
          profile: 'oltp',
          maxConnections: 200,
          storage: 'ssd',
          database: 'edu',
          user: 'edu',
          passwordSecret: 'postgres-password',
          backup: { mountPoint: '/mnt/storagebox', retentionDays: 30 },
        },
      ],
    },
    {
      name: 'cache',
      kind: 'vm',
      role: 'cache',
      node: 'pve3',
      vmId: 121,
      cores: 4,
      memoryGib: 16,
      disks: [{ sizeGib: 100, datastore: 'local-lvm' }],
      ipv4: '10.20.0.21',
      // 7 GiB: an AOF rewrite forks the server and may copy every page, so 2 × maxmemory must fit the 16 GiB guest.
      stacks: [{ kind: 'redis', passwordSecret: 'redis-password', persistence: 'aof', maxMemoryMib: 7168 }],
    },
    {
      name: 'llm',
      kind: 'vm',
      role: 'llm',
      node: 'pve4',
      vmId: 130,
      cores: 16,
      memoryGib: 64,
      gpus: ['gpu-pve4-0'],
      disks: [
        { sizeGib: 64, datastore: 'local-lvm' },
        { name: 'models', sizeGib: 2048, datastore: 'tank-models', mountPoint: '/srv/models' },
      ],
      ipv4: '10.20.0.30',
      stacks: [opts.vllm],
      suppressions: [{ rule: 'PVE-DATA-004', reason: 'The model cache holds downloaded weights only; a lost disk costs a re-download, not data.' }],
    },
    {
      name: 'ml',
      kind: 'vm',
      role: 'ml',
      node: 'pve5',
      vmId: 131,
      cores: 12,
      memoryGib: 48,
      gpus: ['gpu-pve5-0'],
      disks: [
        { sizeGib: 64, datastore: 'local-lvm' },
        { name: 'work', sizeGib: 1024, datastore: 'tank-backup', mountPoint: '/srv/work' },
      ],
      ipv4: '10.20.0.31',
      stacks: [
        {
          kind: 'compose',
          name: 'training',
          services: [
            {
              name: 'trainer',
              image: 'ghcr.io/example-edu/trainer:0.4.1',
              command: ['python', '-m', 'trainer.worker'],
              gpus: 'all',
              volumes: ['/srv/work:/work'],
              env: { QUEUE_HOST: '10.20.0.21' },
              secrets: ['redis-password'],
              ports: ['10.20.0.31:8001:8001'],
            },
          ],
        },
      ],
    },
    {
      name: 'workers',
      kind: 'vm',
      role: 'worker',
      node: 'pve4',
      vmId: 140,
      cores: 8,
      memoryGib: 16,
      disks: [{ sizeGib: 200, datastore: 'local-lvm' }],
      ipv4: '10.20.0.40',
      stacks: [{ kind: 'worker', image: WORKER_IMAGE, command: ['node', 'dist/worker.js'], replicas: 2, env: APP_ENV, secrets: APP_SECRETS }],
    },
    {
      name: 'monitoring',
      kind: 'vm',
      role: 'monitoring',
      node: 'pve3',
      vmId: 150,
      cores: 4,
      memoryGib: 16,
      disks: [{ sizeGib: 200, datastore: 'local-lvm' }],
      ipv4: '10.20.0.50',
      stacks: [{ kind: 'monitoring', targets: ['proxy', 'web-1', 'web-2', 'db', 'cache', 'llm', 'ml', 'workers'], grafanaAdminSecret: 'grafana-admin' }],
    },
  ];

  const connections: ConnectionSpec[] = [
    { from: 'internet', to: 'proxy', ports: ['tcp/80', 'tcp/443'], description: 'Public HTTPS entry point' },
    { from: 'proxy', to: 'role:web', ports: 'tcp/3000', description: 'nginx to the Next.js replicas' },
    { from: ['role:web', 'workers'], to: 'db', ports: 'tcp/5432', description: 'Application database' },
    { from: ['role:web', 'workers', 'ml'], to: 'cache', ports: 'tcp/6379', description: 'Sessions, cache and queues' },
    { from: ['role:web', 'workers'], to: 'llm', ports: 'tcp/8000', description: 'OpenAI-compatible inference API' },
    { from: 'workers', to: 'ml', ports: 'tcp/8001', description: 'Batch jobs' },
    { from: 'monitoring', to: 'llm', ports: 'tcp/8000', description: 'vLLM /metrics' },
  ];

  return {
    name: opts.name,
    description: opts.description,
    cluster: { nodes: NODES, vmIdRange: { from: 100, to: 199 }, endpoint: 'https://pve1.edu.internal:8006' },
    networks: [PRIVATE_NETWORK],
    admin: ADMIN,
    guests,
    zfsPools: ZFS_POOLS,
    storageBoxes: STORAGE_BOXES,
    connections,
    secrets: SECRETS,
    // Shared state for CI and every admin; terraform reads the connection string (with its
    // password) from PG_CONN_STR, never from this file.
    backend: { type: 'pg', schemaName: `pvestack_${opts.name.replace(/-/g, '_')}` },
  };
}
