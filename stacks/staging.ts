/** Staging: the education platform scaled down to one node; CI applies it on every merge to main. */
import { defineEnvironment } from '../model';
import { ADMIN, SECRETS } from './education/cluster';

const APP_ENV = { NODE_ENV: 'production', DATABASE_HOST: '10.30.0.20', DATABASE_NAME: 'edu', REDIS_HOST: '10.30.0.21' };

export default defineEnvironment({
  name: 'staging',
  description: 'Education platform staging: one Proxmox node, one web VM, one PostgreSQL VM, one Redis VM.',
  cluster: {
    nodes: [
      {
        name: 'pve-stg',
        cpuThreads: 24,
        memoryGib: 64,
        datastores: [
          { id: 'local-lvm', type: 'lvmthin', media: 'ssd', capacityGib: 900 },
          { id: 'mirror-ssd', type: 'lvmthin', media: 'ssd', capacityGib: 900, redundant: true },
          // snippets and import are added by the proxmox-host-storage playbook.
          { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
        ],
      },
    ],
    vmIdRange: { from: 200, to: 299 },
  },
  networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.30.0.0/24', gateway: '10.30.0.1', domain: 'stg.edu.internal' }],
  admin: ADMIN,
  guests: [
    {
      name: 'web',
      kind: 'vm',
      role: 'web',
      node: 'pve-stg',
      vmId: 210,
      cores: 4,
      memoryGib: 8,
      disks: [{ sizeGib: 50, datastore: 'local-lvm' }],
      ipv4: '10.30.0.10',
      stacks: [
        {
          kind: 'nextjs',
          image: 'ghcr.io/example-edu/web:1.9.0-rc.1',
          port: 3000,
          env: APP_ENV,
          secrets: ['postgres-password', 'redis-password', 'session-secret'],
        },
        { kind: 'nginx-proxy', serverName: 'staging.learn.example.org', upstreams: ['web'], upstreamPort: 3000, tls: 'certbot' },
      ],
    },
    {
      name: 'db',
      kind: 'vm',
      role: 'db',
      node: 'pve-stg',
      vmId: 220,
      cores: 4,
      memoryGib: 16,
      disks: [
        { sizeGib: 32, datastore: 'local-lvm' },
        { name: 'pgdata', sizeGib: 200, datastore: 'mirror-ssd', mountPoint: '/var/lib/postgresql' },
      ],
      ipv4: '10.30.0.20',
      storageBoxMounts: [{ box: 'offsite', mountPoint: '/mnt/storagebox', subdirectory: 'edu/staging' }],
      stacks: [
        {
          kind: 'postgres',
          profile: 'oltp',
          maxConnections: 100,
          database: 'edu',
          user: 'edu',
          passwordSecret: 'postgres-password',
          backup: { mountPoint: '/mnt/storagebox', retentionDays: 7 },
        },
      ],
    },
    {
      name: 'cache',
      kind: 'vm',
      role: 'cache',
      node: 'pve-stg',
      vmId: 221,
      cores: 2,
      memoryGib: 4,
      disks: [{ sizeGib: 20, datastore: 'local-lvm' }],
      ipv4: '10.30.0.21',
      stacks: [{ kind: 'redis', passwordSecret: 'redis-password', persistence: 'rdb', maxMemoryMib: 2048 }],
    },
  ],
  storageBoxes: [{ name: 'offsite', host: 'u123456.your-storagebox.de', user: 'u123456', passwordSecret: 'storagebox-password' }],
  connections: [
    { from: 'internet', to: 'web', ports: ['tcp/80', 'tcp/443'], description: 'Public HTTPS entry point' },
    { from: 'web', to: 'db', ports: 'tcp/5432' },
    { from: 'web', to: 'cache', ports: 'tcp/6379' },
  ],
  secrets: SECRETS,
  // Shared state for the CI job that applies staging on every merge (PG_CONN_STR holds the password).
  backend: { type: 'pg', schemaName: 'pvestack_staging' },
});
