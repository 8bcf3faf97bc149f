/**
 * Example D, the quiz platform's "self-host everything" Kubernetes plan mapped onto Proxmox guests
 * running compose stacks: one service (or a replica) per guest, spread over three nodes so that
 * the replicas of PostgreSQL and Keycloak do not share a host. Budget of the plan: about 20 vCPU and
 * 40 GB RAM in total; this mapping uses 18 vCPU and 37 GiB (see `QUIZ_BUDGET` in the tests).
 *
 * What Kubernetes would have done and this mapping does instead, honestly:
 * - PostgreSQL HA: three guests running repmgr (streaming replication plus automatic failover);
 *   clients use libpq multi-host strings with `target_session_attrs=read-write`. No operator.
 * - Keycloak: two guests sharing the database; their Infinispan caches cluster over JGroups
 *   (JDBC_PING discovery through the database, TCP 7800 between them).
 * - Ingress: Traefik on `edge`, with rate-limit and IP-allow-list middlewares in its file provider;
 *   only Cloudflare's address ranges may reach it.
 */
import type { ConnectionSpec, GuestSpec, ServiceSpec, StackSpec } from '../../model';
import { defineEnvironment } from '../../model';

const PG_IMAGE = 'ghcr.io/example-quiz/postgresql-repmgr-timescale:16.4.0-ts2.17.2';
const PG_HOSTS = ['10.60.0.20', '10.60.0.21', '10.60.0.22'];
/** libpq multi-host connection target: whichever member is primary accepts writes. */
const PG_TARGET = PG_HOSTS.map((h) => `${h}:5432`).join(',');

/** Cloudflare's published IPv4 ranges (cloudflare.com/ips-v4): the only sources that reach the edge. */
const CLOUDFLARE = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
].map((c) => `cidr:${c}`);

interface Size {
  readonly cores: number;
  readonly memoryGib: number;
  readonly diskGib: number;
  /** A data disk on the mirrored datastore, mounted at this path. */
  readonly data?: { readonly path: string; readonly sizeGib: number };
}

function guest(name: string, role: GuestSpec['role'], node: number, ipv4: string, size: Size, stacks: StackSpec[]): GuestSpec {
  return {
    name,
    kind: 'vm',
    role,
    node: `quiz-pve${node}`,
    cores: size.cores,
    memoryGib: size.memoryGib,
    disks: [
      { sizeGib: size.diskGib, datastore: 'local-lvm' },
      ...(size.data ? [{ name: 'data', sizeGib: size.data.sizeGib, datastore: 'mirror', mountPoint: size.data.path }] : []),
    ],
    ipv4,
    stacks,
  };
}

function compose(name: string, services: ServiceSpec[]): StackSpec {
  return { kind: 'compose', name, services };
}

/** One member of the repmgr cluster; `pg-1` starts as primary, the others clone from it. */
function pgMember(index: number): GuestSpec {
  const name = `pg-${index + 1}`;
  const ip = PG_HOSTS[index]!;
  return guest(
    name,
    'db',
    index + 1,
    ip,
    { cores: index === 0 ? 2 : 1, memoryGib: index === 0 ? 4 : 2, diskGib: 20, data: { path: '/srv/pg', sizeGib: 200 } },
    [
      compose('postgres', [
        {
          name: 'postgres',
          image: PG_IMAGE,
          ports: [`${ip}:5432:5432`],
          env: {
            POSTGRESQL_DATABASE: 'quiz',
            POSTGRESQL_USERNAME: 'quiz',
            POSTGRESQL_SHARED_PRELOAD_LIBRARIES: 'repmgr,timescaledb,pg_stat_statements',
            REPMGR_NODE_NAME: name,
            REPMGR_NODE_NETWORK_NAME: ip,
            REPMGR_PRIMARY_HOST: PG_HOSTS[0]!,
            REPMGR_PARTNER_NODES: PG_HOSTS.join(','),
          },
          secrets: ['postgres-password', 'repmgr-password'],
          volumes: ['/srv/pg:/bitnami/postgresql'],
          healthcheck: { test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'quiz'], intervalSeconds: 10 },
          stateful: true,
          memoryLimitMib: index === 0 ? 3584 : 1792,
        },
      ]),
    ],
  );
}

function keycloak(index: number): GuestSpec {
  const ip = `10.60.0.${30 + index}`;
  return guest(`keycloak-${index + 1}`, 'app', index + 1, ip, { cores: 1, memoryGib: 2, diskGib: 20 }, [
    compose('keycloak', [
      {
        name: 'keycloak',
        image: 'quay.io/keycloak/keycloak:26.0.5',
        command: ['start', '--hostname=https://auth.quiz.example.org', '--proxy-headers=xforwarded', '--http-enabled=true'],
        ports: [`${ip}:8080:8080`, `${ip}:7800:7800`],
        env: {
          KC_DB: 'postgres',
          KC_DB_URL: `jdbc:postgresql://${PG_TARGET}/keycloak?targetServerType=primary`,
          KC_CACHE: 'ispn',
          KC_CACHE_STACK: 'jdbc-ping',
          JGROUPS_DISCOVERY_EXTERNAL_IP: ip,
          KC_HEALTH_ENABLED: 'true',
        },
        secrets: ['keycloak-db-password', 'keycloak-admin-password'],
        memoryLimitMib: 1536,
      },
    ]),
  ]);
}

const APP_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL_HOSTS: PG_TARGET,
  REDIS_HOST: '10.60.0.23',
  QDRANT_URL: 'http://10.60.0.24:6333',
  S3_ENDPOINT: 'http://10.60.0.25:9000',
  KEYCLOAK_ISSUER: 'https://auth.quiz.example.org/realms/quiz',
  NOVU_API_URL: 'http://10.60.0.32:3000',
  TEMPORAL_ADDRESS: '10.60.0.34:7233',
  POSTHOG_HOST: 'http://10.60.0.33:8000',
};
const APP_SECRETS = ['postgres-password', 'redis-password', 'minio-secret-key', 'keycloak-client-secret', 'novu-api-key', 'session-secret'];

const guests: GuestSpec[] = [
  guest('edge', 'proxy', 1, '10.60.0.10', { cores: 1, memoryGib: 1, diskGib: 10 }, [
    compose('traefik', [
      {
        name: 'traefik',
        image: 'traefik:v3.2.1',
        // Routers, the rate-limit middleware (average 20 req/s, burst 50 per client IP, keyed on
        // CF-Connecting-IP) and the admin IP allow-list are in the file provider's dynamic.yml.
        command: ['--entrypoints.web.address=:80', '--entrypoints.websecure.address=:443', '--providers.file.filename=/etc/traefik/dynamic.yml', '--ping=true'],
        ports: ['80:80', '443:443'],
        volumes: ['/srv/traefik/dynamic.yml:/etc/traefik/dynamic.yml:ro', '/srv/traefik/certs:/certs:ro'],
        healthcheck: { test: ['CMD', 'traefik', 'healthcheck', '--ping'] },
      },
    ]),
  ]),
  guest('app', 'web', 2, '10.60.0.11', { cores: 2, memoryGib: 4, diskGib: 20 }, [
    { kind: 'nextjs', image: 'ghcr.io/example-quiz/app:3.2.0', port: 3000, env: APP_ENV, secrets: APP_SECRETS },
    { kind: 'nextjs', image: 'ghcr.io/example-quiz/admin:3.2.0', port: 3001, env: APP_ENV, secrets: APP_SECRETS },
  ]),
  pgMember(0),
  pgMember(1),
  pgMember(2),
  guest('cache', 'cache', 3, '10.60.0.23', { cores: 1, memoryGib: 1, diskGib: 10 }, [
    { kind: 'redis', passwordSecret: 'redis-password', persistence: 'aof', maxMemoryMib: 640 },
  ]),
  guest('qdrant', 'db', 3, '10.60.0.24', { cores: 1, memoryGib: 2, diskGib: 10, data: { path: '/srv/qdrant', sizeGib: 50 } }, [
    compose('qdrant', [
      {
        name: 'qdrant',
        image: 'qdrant/qdrant:v1.12.4',
        ports: ['10.60.0.24:6333:6333', '10.60.0.24:6334:6334'],
        volumes: ['/srv/qdrant:/qdrant/storage'],
        secrets: ['qdrant-api-key'],
        stateful: true,
      },
    ]),
  ]),
  guest('minio', 'db', 2, '10.60.0.25', { cores: 1, memoryGib: 2, diskGib: 10, data: { path: '/srv/minio', sizeGib: 500 } }, [
    compose('minio', [
      {
        name: 'minio',
        image: 'minio/minio:RELEASE.2024-10-13T13-34-11Z',
        command: ['server', '/data', '--console-address', ':9001'],
        ports: ['10.60.0.25:9000:9000', '10.60.0.25:9001:9001'],
        env: { MINIO_ROOT_USER: 'quiz-admin' },
        secrets: ['minio-secret-key'],
        volumes: ['/srv/minio:/data'],
        stateful: true,
      },
    ]),
  ]),
  guest('clickhouse', 'db', 1, '10.60.0.26', { cores: 2, memoryGib: 4, diskGib: 10, data: { path: '/srv/clickhouse', sizeGib: 200 } }, [
    compose('clickhouse', [
      {
        name: 'clickhouse',
        image: 'clickhouse/clickhouse-server:24.8.4.13',
        ports: ['10.60.0.26:8123:8123', '10.60.0.26:9000:9000'],
        volumes: ['/srv/clickhouse:/var/lib/clickhouse'],
        secrets: ['clickhouse-password'],
        stateful: true,
        memoryLimitMib: 3584,
      },
    ]),
  ]),
  keycloak(0),
  keycloak(1),
  guest('novu', 'app', 3, '10.60.0.32', { cores: 1, memoryGib: 3, diskGib: 20 }, [
    compose('novu', [
      { name: 'mongodb', image: 'mongo:7.0.14', volumes: ['novu-mongo:/data/db'], secrets: ['novu-mongo-password'], stateful: true, memoryLimitMib: 1024 },
      {
        name: 'api',
        image: 'ghcr.io/novuhq/novu/api:2.1.1',
        ports: ['10.60.0.32:3000:3000'],
        env: { REDIS_HOST: '10.60.0.23', S3_LOCAL_STACK: 'http://10.60.0.25:9000' },
        secrets: ['novu-jwt-secret', 'novu-mongo-password', 'redis-password'],
        dependsOn: ['mongodb'],
      },
      {
        name: 'worker',
        image: 'ghcr.io/novuhq/novu/worker:2.1.1',
        env: { REDIS_HOST: '10.60.0.23' },
        secrets: ['novu-mongo-password', 'redis-password'],
        dependsOn: ['mongodb'],
      },
      {
        name: 'ws',
        image: 'ghcr.io/novuhq/novu/ws:2.1.1',
        ports: ['10.60.0.32:3002:3002'],
        secrets: ['novu-jwt-secret', 'novu-mongo-password', 'redis-password'],
        dependsOn: ['mongodb'],
      },
    ]),
  ]),
  guest('posthog', 'app', 2, '10.60.0.33', { cores: 2, memoryGib: 6, diskGib: 40 }, [
    compose('posthog', [
      // PostHog tags its images by commit; the team re-tags the commit it tested into its registry.
      {
        name: 'web',
        image: 'ghcr.io/example-quiz/posthog:2024.11.0',
        ports: ['10.60.0.33:8000:8000'],
        env: {
          DATABASE_HOSTS: PG_TARGET,
          CLICKHOUSE_HOST: '10.60.0.26',
          REDIS_HOST: '10.60.0.23',
          KAFKA_HOSTS: 'redpanda:9092',
          OBJECT_STORAGE_ENDPOINT: 'http://10.60.0.25:9000',
        },
        secrets: ['posthog-secret-key', 'postgres-password', 'clickhouse-password', 'minio-secret-key'],
        dependsOn: ['redpanda'],
      },
      {
        name: 'worker',
        image: 'ghcr.io/example-quiz/posthog:2024.11.0',
        command: ['./bin/docker-worker-celery', '--with-scheduler'],
        env: { DATABASE_HOSTS: PG_TARGET, CLICKHOUSE_HOST: '10.60.0.26', REDIS_HOST: '10.60.0.23', KAFKA_HOSTS: 'redpanda:9092' },
        secrets: ['posthog-secret-key', 'postgres-password', 'clickhouse-password'],
        dependsOn: ['redpanda'],
      },
      {
        name: 'redpanda',
        image: 'docker.redpanda.com/redpandadata/redpanda:v24.2.7',
        command: ['redpanda', 'start', '--smp', '1', '--memory', '1G', '--overprovisioned'],
        volumes: ['redpanda:/var/lib/redpanda/data'],
        memoryLimitMib: 1536,
      },
    ]),
  ]),
  guest('temporal', 'worker', 1, '10.60.0.34', { cores: 1, memoryGib: 2, diskGib: 20 }, [
    compose('temporal', [
      {
        name: 'server',
        image: 'temporalio/auto-setup:1.25.2',
        ports: ['10.60.0.34:7233:7233'],
        env: { DB: 'postgres12', POSTGRES_SEEDS: PG_HOSTS[0]!, DB_PORT: '5432', POSTGRES_USER: 'temporal' },
        secrets: ['temporal-db-password'],
      },
      { name: 'ui', image: 'temporalio/ui:2.31.2', ports: ['10.60.0.34:8088:8080'], env: { TEMPORAL_ADDRESS: 'server:7233' }, dependsOn: ['server'] },
    ]),
  ]),
];

const PG = ['pg-1', 'pg-2', 'pg-3'];
const connections: ConnectionSpec[] = [
  { from: CLOUDFLARE, to: 'edge', ports: ['tcp/80', 'tcp/443'], description: 'Only Cloudflare reaches the origin' },
  { from: 'edge', to: 'app', ports: ['tcp/3000', 'tcp/3001'], description: 'App and admin dashboard (the dashboard behind an IP allow-list)' },
  { from: 'edge', to: ['keycloak-1', 'keycloak-2'], ports: 'tcp/8080', description: 'Login pages' },
  { from: 'edge', to: 'novu', ports: ['tcp/3000', 'tcp/3002'], description: 'In-app notification API and websocket' },
  { from: 'edge', to: 'posthog', ports: 'tcp/8000', description: 'Browser event ingestion' },
  { from: ['app', 'keycloak-1', 'keycloak-2', 'posthog', 'temporal'], to: PG, ports: 'tcp/5432', description: 'PostgreSQL (clients find the primary)' },
  { from: PG, to: PG, ports: 'tcp/5432', description: 'Streaming replication and repmgr' },
  { from: ['keycloak-1', 'keycloak-2'], to: ['keycloak-1', 'keycloak-2'], ports: 'tcp/7800', description: 'Infinispan cluster (JGroups)' },
  { from: ['app', 'novu', 'posthog'], to: 'cache', ports: 'tcp/6379', description: 'Redis' },
  { from: 'app', to: 'qdrant', ports: 'tcp/6333', description: 'Vector search' },
  { from: ['app', 'novu', 'posthog'], to: 'minio', ports: 'tcp/9000', description: 'S3 API' },
  { from: 'admin', to: 'minio', ports: 'tcp/9001', description: 'MinIO console' },
  { from: 'posthog', to: 'clickhouse', ports: ['tcp/8123', 'tcp/9000'], description: 'PostHog events store' },
  { from: 'app', to: ['keycloak-1', 'keycloak-2'], ports: 'tcp/8080', description: 'Token introspection' },
  { from: 'app', to: 'novu', ports: 'tcp/3000', description: 'Triggering notifications' },
  { from: 'app', to: 'posthog', ports: 'tcp/8000', description: 'Server-side events' },
  { from: 'app', to: 'temporal', ports: 'tcp/7233', description: 'Starting workflows' },
  { from: 'admin', to: 'temporal', ports: 'tcp/8088', description: 'Temporal UI' },
];

const secret = (env: string, description: string) => ({ env, description });

export default defineEnvironment({
  name: 'quiz',
  description: 'Quiz platform: the Kubernetes "self-host everything" plan as 14 guests with compose stacks on 3 Proxmox nodes, ~18 vCPU / 37 GiB.',
  cluster: {
    nodes: [1, 2, 3].map((n) => ({
      name: `quiz-pve${n}`,
      cpuThreads: 16,
      memoryGib: 64,
      datastores: [
        { id: 'local-lvm', type: 'lvmthin' as const, media: 'ssd' as const, capacityGib: 400 },
        { id: 'mirror', type: 'lvmthin' as const, media: 'ssd' as const, capacityGib: 1700, redundant: true },
        // snippets and import are added by the proxmox-host-storage playbook.
        { id: 'local', type: 'dir' as const, content: ['iso' as const, 'vztmpl' as const, 'backup' as const, 'snippets' as const, 'import' as const] },
      ],
    })),
    vmIdRange: { from: 300, to: 399 },
    endpoint: 'https://quiz-pve1.quiz.example.org:8006',
  },
  networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.60.0.0/24', gateway: '10.60.0.1', domain: 'quiz.internal' }],
  admin: {
    cidrs: ['198.51.100.0/24'],
    sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFwXhXUpjE9bXn33eTtfJErw9t367HVImSmekcf2ZBsZ ops@quiz.example.org'],
    user: 'ops',
  },
  guests,
  connections,
  secrets: {
    'postgres-password': secret('PVESTACK_POSTGRES_PASSWORD', 'Password of the quiz database user.'),
    'repmgr-password': secret('PVESTACK_REPMGR_PASSWORD', 'Password of the repmgr replication user.'),
    'redis-password': secret('PVESTACK_REDIS_PASSWORD', 'Redis AUTH password.'),
    'qdrant-api-key': secret('PVESTACK_QDRANT_API_KEY', 'Qdrant API key.'),
    'minio-secret-key': secret('PVESTACK_MINIO_SECRET_KEY', 'MinIO root secret key.'),
    'clickhouse-password': secret('PVESTACK_CLICKHOUSE_PASSWORD', 'ClickHouse default user password.'),
    'keycloak-db-password': secret('PVESTACK_KEYCLOAK_DB_PASSWORD', 'Keycloak database password.'),
    'keycloak-admin-password': secret('PVESTACK_KEYCLOAK_ADMIN_PASSWORD', 'Keycloak bootstrap admin password.'),
    'keycloak-client-secret': secret('PVESTACK_KEYCLOAK_CLIENT_SECRET', 'OIDC client secret of the app.'),
    'novu-api-key': secret('PVESTACK_NOVU_API_KEY', 'Novu API key the app triggers notifications with.'),
    'novu-jwt-secret': secret('PVESTACK_NOVU_JWT_SECRET', 'Novu JWT signing secret.'),
    'novu-mongo-password': secret('PVESTACK_NOVU_MONGO_PASSWORD', 'Password of Novu’s MongoDB.'),
    'posthog-secret-key': secret('PVESTACK_POSTHOG_SECRET_KEY', 'PostHog Django secret key.'),
    'temporal-db-password': secret('PVESTACK_TEMPORAL_DB_PASSWORD', 'Temporal’s PostgreSQL password.'),
    'session-secret': secret('PVESTACK_SESSION_SECRET', 'Next.js session signing key.'),
  },
  backend: { type: 'local' },
});
