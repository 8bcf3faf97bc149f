/**
 * A valid environment spec with N guests, for the scaling benchmark. Guests come in cells of ten
 * (a proxy, six Next.js web guests, PostgreSQL, Redis and a worker) with firewall intent inside
 * each cell only, so the spec itself grows linearly: any super-linear time is the tool's, not
 * the spec's. Twenty guests per node; one /16 network.
 *
 * `revision: 2` is the same environment after a typical change, for the diff benchmark: more
 * memory for some web guests, a new image tag, one cell added and one cell's worker removed.
 */
import type { ConnectionSpec, EnvironmentSpec, GuestSpec, NodeSpec } from '../model';

export interface GenerateOptions {
  /** @default 1 */
  readonly revision?: 1 | 2;
}

const GUESTS_PER_NODE = 20;
const CELL = 10;

const ipOf = (i: number) => `10.100.${Math.floor(i / 200)}.${10 + (i % 200)}`;

function cellGuests(cell: number, first: number, revision: 1 | 2): GuestSpec[] {
  const name = (role: string, n?: number) => `c${cell}-${role}${n === undefined ? '' : `-${n}`}`;
  const node = (i: number) => `node-${Math.floor(i / GUESTS_PER_NODE) + 1}`;
  const base = (i: number, role: GuestSpec['role'], gname: string, cores: number, memoryGib: number): GuestSpec => ({
    name: gname,
    kind: 'vm',
    role,
    node: node(i),
    vmId: 1000 + i,
    cores,
    memoryGib,
    disks: [{ sizeGib: 32, datastore: 'local-lvm' }],
    ipv4: ipOf(i),
  });
  const webs = [1, 2, 3, 4, 5, 6].map((n) => name('web', n));
  const image = revision === 2 && cell % 10 === 0 ? 'ghcr.io/example/web:2.1.0' : 'ghcr.io/example/web:2.0.0';
  const env = { DATABASE_HOST: ipOf(first + 7), REDIS_HOST: ipOf(first + 8) };
  const guests: GuestSpec[] = [
    {
      ...base(first, 'proxy', name('proxy'), 2, 2),
      stacks: [{ kind: 'nginx-proxy', serverName: `cell${cell}.example.org`, upstreams: webs, upstreamPort: 3000, tls: 'certbot' }],
    },
    ...webs.map((w, k) => ({
      ...base(first + 1 + k, 'web', w, 2, revision === 2 && cell % 5 === 0 ? 6 : 4),
      stacks: [{ kind: 'nextjs' as const, image, port: 3000, env, secrets: ['postgres-password', 'redis-password', 'session-secret'] }],
    })),
    {
      ...base(first + 7, 'db', name('db'), 4, 8),
      disks: [
        { sizeGib: 32, datastore: 'local-lvm' },
        { name: 'pgdata', sizeGib: 200, datastore: 'mirror', mountPoint: '/var/lib/postgresql' },
        { name: 'dumps', sizeGib: 100, datastore: 'mirror', mountPoint: '/srv/backup' },
      ],
      stacks: [
        {
          kind: 'postgres',
          profile: 'web',
          maxConnections: 100,
          database: 'app',
          passwordSecret: 'postgres-password',
          backup: { mountPoint: '/srv/backup', retentionDays: 7 },
        },
      ],
    },
    { ...base(first + 8, 'cache', name('cache'), 1, 2), stacks: [{ kind: 'redis', passwordSecret: 'redis-password', maxMemoryMib: 1024 }] },
    {
      ...base(first + 9, 'worker', name('worker'), 2, 4),
      stacks: [{ kind: 'worker', image: 'ghcr.io/example/worker:2.0.0', env, secrets: ['postgres-password', 'redis-password'] }],
    },
  ];
  return revision === 2 && cell === 1 ? guests.filter((g) => g.role !== 'worker') : guests;
}

function cellConnections(cell: number, revision: 1 | 2): ConnectionSpec[] {
  const n = (role: string) => `c${cell}-${role}`;
  const webs = [1, 2, 3, 4, 5, 6].map((k) => `${n('web')}-${k}`);
  const hasWorker = !(revision === 2 && cell === 1);
  const apps = hasWorker ? [...webs, n('worker')] : webs;
  return [
    { from: 'internet', to: n('proxy'), ports: ['tcp/80', 'tcp/443'] },
    { from: n('proxy'), to: webs, ports: 'tcp/3000' },
    { from: apps, to: n('db'), ports: 'tcp/5432' },
    { from: apps, to: n('cache'), ports: 'tcp/6379' },
  ];
}

/** An environment with `guests` guests (rounded up to a multiple of ten). */
export function generateEnvironment(guests: number, opts: GenerateOptions = {}): EnvironmentSpec {
  const revision = opts.revision ?? 1;
  const cells = Math.ceil(guests / CELL) + (revision === 2 ? 1 : 0);
  const nodeCount = Math.ceil((cells * CELL) / GUESTS_PER_NODE);
  const nodes: NodeSpec[] = Array.from({ length: nodeCount }, (_, i) => ({
    name: `node-${i + 1}`,
    cpuThreads: 64,
    memoryGib: 256,
    datastores: [
      // The installer's local storage with snippets (cloud-init) and import (cloud images) added, as the host playbook does.
      { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
      { id: 'local-lvm', type: 'lvmthin', media: 'nvme', capacityGib: 3500 },
      { id: 'mirror', type: 'lvmthin', media: 'ssd', capacityGib: 7000, redundant: true },
      { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
    ],
  }));
  const all: GuestSpec[] = [];
  const connections: ConnectionSpec[] = [];
  for (let c = 0; c < cells; c++) {
    all.push(...cellGuests(c, c * CELL, revision));
    connections.push(...cellConnections(c, revision));
  }
  return {
    name: `bench-${guests}`,
    description: `Generated: ${guests} guests in cells of ten on ${nodeCount} nodes (revision ${revision}).`,
    cluster: { nodes, vmIdRange: { from: 1000, to: 99999 } },
    networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.100.0.0/16', gateway: '10.100.0.1' }],
    admin: { cidrs: ['198.51.100.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMvHRixnOuZ3kxfolzMahI8DXUuAtkN7+MGErqtK5ZF4 ops@bench.example.org'] },
    guests: all,
    connections,
    secrets: {
      'postgres-password': { env: 'PVESTACK_POSTGRES_PASSWORD', description: 'Database password.' },
      'redis-password': { env: 'PVESTACK_REDIS_PASSWORD', description: 'Redis password.' },
      'session-secret': { env: 'PVESTACK_SESSION_SECRET', description: 'Session signing key.' },
    },
  };
}
