/**
 * Architecture C, the multi-model AI chat on rented servers: a bare-metal GPU server (external:
 * pvestack deploys its stacks but does not manage its GPU), two clustered Proxmox nodes
 * (`prox-101` data and staging, `prox-106` the application), `prox-102` in another data centre for
 * backups, and a 5 TB Storage Box holding models, uploads and backups.
 *
 * `chat` declares the firewall intent as it should be; `chat-as-planned` reproduces the incidents
 * the team actually had (PostgreSQL on the internet on a non-standard port, SSH open to the world
 * on two ports, a stray process on the LLM's port).
 */
import type { ConnectionSpec, EnvironmentSpec, GuestSpec, NodeSpec, SecretSpec, StackSpec, ZfsPoolSpec } from '../../../model';

export interface MultiModelChatOptions {
  readonly name: string;
  readonly description: string;
  /** Reproduce the incidents of the plan as it ran (never deploy with this on). */
  readonly incidents: boolean;
}

const API_IMAGE = 'ghcr.io/example-chat/api:2.3.1';
const AI_IMAGE = 'ghcr.io/example-chat/ai-service:1.4.0';
const WORKER_IMAGE = 'ghcr.io/example-chat/workers:2.3.1';

/** PostgreSQL port of the plan as it ran: moved off 5432 "for security", then opened to everyone. */
const PLANNED_PG_PORT = 15432;

/**
 * Both application nodes have two 1.92 TB NVMe drives in a ZFS mirror (the "1.8 TB" of the plan).
 * prox-102 is 25 ms away: corosync needs a few ms at most, so it is not a cluster member but a
 * separate backup host (an external deploy target below).
 */
function appNode(name: string): NodeSpec {
  // local also takes snippets and import images (added by the proxmox-host-storage playbook).
  return {
    name,
    cpuThreads: 32,
    memoryGib: 125,
    datastores: [{ id: 'local', type: 'dir', media: 'nvme', capacityGib: 100, content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] }],
  };
}

function mirrorPool(node: string): ZfsPoolSpec {
  return {
    name: `tank-${node.slice(-3)}`,
    node,
    layout: 'mirror',
    disks: [`/dev/disk/by-id/nvme-${node}-a`, `/dev/disk/by-id/nvme-${node}-b`],
    diskSizeGib: 1788,
    media: 'nvme',
  };
}

function vm(
  name: string,
  role: GuestSpec['role'],
  node: string,
  vmId: number,
  ipv4: string,
  size: { cores: number; memoryGib: number; diskGib: number },
  stacks: StackSpec[],
  extra: Partial<GuestSpec> = {},
): GuestSpec {
  const pool = `tank-${node.slice(-3)}`;
  return {
    name,
    kind: 'vm',
    role,
    node,
    vmId,
    cores: size.cores,
    memoryGib: size.memoryGib,
    disks: [{ sizeGib: size.diskGib, datastore: pool }],
    ipv4,
    stacks,
    ...extra,
  };
}

const APP_ENV = {
  NODE_ENV: 'production',
  DATABASE_HOST: '10.50.0.20',
  DATABASE_NAME: 'chat',
  REDIS_HOST: '10.50.0.21',
  LLM_BASE_URL: 'http://10.50.0.5:8001/v1',
  WHISPER_URL: 'http://10.50.0.5:9000',
};
const APP_SECRETS = ['postgres-password', 'redis-password', 'vllm-api-key'];

function gpuServer(incidents: boolean): GuestSpec {
  const stacks: StackSpec[] = [
    {
      kind: 'vllm',
      model: 'mistralai/Mistral-Nemo-Instruct-2407',
      servedModelName: 'mistral-nemo',
      dtype: 'bfloat16',
      // 0.80 of the 48 GB leaves ≈9 GB for Whisper on the same card.
      gpuMemoryUtilization: 0.8,
      maxModelLen: 32768,
      port: 8001,
      apiKeySecret: 'vllm-api-key',
      hfTokenSecret: 'hf-token',
      // The Storage Box holds the canonical model files; vLLM reads them once at start-up.
      modelCacheDir: '/mnt/storagebox/models',
    },
    {
      kind: 'compose',
      name: 'whisper',
      services: [
        {
          name: 'whisper',
          image: 'onerahmet/openai-whisper-asr-webservice:v1.6.0-gpu',
          env: { ASR_MODEL: 'large-v3', ASR_ENGINE: 'faster_whisper' },
          ports: ['10.50.0.5:9000:9000'],
          gpus: 1,
          volumes: ['/mnt/storagebox/models/whisper:/root/.cache'],
        },
      ],
    },
    { kind: 'redis', passwordSecret: 'redis-password', persistence: 'none', maxMemoryMib: 4096 },
  ];
  if (incidents) {
    // The incident: a forgotten `python -m http.server 8001` (a debugging session) held the LLM's
    // port, so vLLM failed to bind after a reboot.
    stacks.push({
      kind: 'compose',
      name: 'scratch',
      services: [{ name: 'debug-http', image: 'python:3.12.7-slim', command: ['python', '-m', 'http.server', '8001'], ports: ['8001:8001'] }],
    });
  }
  return {
    name: 'gpu-server',
    kind: 'external',
    role: 'llm',
    // Bare metal: 24 cores / 48 threads, 126 GB RAM, 1.8 TB NVMe, Ubuntu 22.04, one RTX 6000 Ada
    // (48 GB). pvestack does not manage an external host's GPU; hostGpus records it as facts.
    cores: 48,
    hostGpus: [{ name: 'gpu-server-0', pciAddress: '0000:01:00.0', model: 'NVIDIA RTX 6000 Ada', vramGib: 48, deviceId: '10de:26b1', computeCapability: 8.9 }],
    memoryGib: 126,
    ipv4: '10.50.0.5',
    ...(incidents ? { sshPort: 2222 } : {}),
    tags: ['bare-metal', 'gpu-rtx-6000-ada-48gb', 'ubuntu-22.04'],
    storageBoxMounts: [{ box: 'storagebox', mountPoint: '/mnt/storagebox', protocol: 'sshfs', subdirectory: 'chat' }],
    stacks,
  };
}

export function multiModelChat(opts: MultiModelChatOptions): EnvironmentSpec {
  const pgPort = opts.incidents ? PLANNED_PG_PORT : 5432;
  const guests: GuestSpec[] = [
    gpuServer(opts.incidents),
    // prox-101: data, bastion, staging, mail.
    vm(
      'postgres',
      'db',
      'prox-101',
      101,
      '10.50.0.20',
      { cores: 8, memoryGib: 32, diskGib: 40 },
      [
        {
          kind: 'postgres',
          profile: 'oltp',
          maxConnections: 200,
          storage: 'nvme',
          database: 'chat',
          user: 'chat',
          passwordSecret: 'postgres-password',
          port: pgPort,
          backup: { mountPoint: '/mnt/storagebox', retentionDays: 30 },
        },
      ],
      {
        disks: [
          { sizeGib: 40, datastore: 'tank-101' },
          { name: 'pgdata', sizeGib: 600, datastore: 'tank-101', mountPoint: '/var/lib/postgresql' },
        ],
        storageBoxMounts: [{ box: 'storagebox', mountPoint: '/mnt/storagebox', protocol: 'cifs', subdirectory: 'backups/postgres' }],
      },
    ),
    vm('redis', 'cache', 'prox-101', 102, '10.50.0.21', { cores: 2, memoryGib: 8, diskGib: 20 }, [
      { kind: 'redis', passwordSecret: 'redis-password', persistence: 'aof', maxMemoryMib: 6144 },
    ]),
    vm('bastion', 'bastion', 'prox-101', 103, '10.50.0.2', { cores: 1, memoryGib: 1, diskGib: 10 }, []),
    vm(
      'stg-db',
      'db',
      'prox-101',
      110,
      '10.50.0.30',
      { cores: 2, memoryGib: 8, diskGib: 60 },
      [
        {
          kind: 'postgres',
          profile: 'web',
          maxConnections: 50,
          storage: 'nvme',
          database: 'chat',
          user: 'chat',
          passwordSecret: 'stg-postgres-password',
          backup: { mountPoint: '/mnt/storagebox', retentionDays: 7 },
        },
      ],
      { storageBoxMounts: [{ box: 'storagebox', mountPoint: '/mnt/storagebox', protocol: 'cifs', subdirectory: 'backups/staging' }] },
    ),
    vm('stg-api', 'app', 'prox-101', 111, '10.50.0.31', { cores: 2, memoryGib: 4, diskGib: 20 }, [
      {
        kind: 'compose',
        name: 'api',
        services: [
          {
            name: 'api',
            image: API_IMAGE,
            ports: ['10.50.0.31:3000:3000'],
            env: { ...APP_ENV, NODE_ENV: 'staging', DATABASE_HOST: '10.50.0.30' },
            secrets: ['stg-postgres-password'],
          },
        ],
      },
    ]),
    vm('stg-frontend', 'web', 'prox-101', 112, '10.50.0.32', { cores: 1, memoryGib: 2, diskGib: 20 }, [
      { kind: 'nginx-proxy', serverName: 'staging.chat.example.org', upstreams: ['stg-api'], upstreamPort: 3000, tls: 'certbot' },
    ]),
    vm(
      'mail',
      'mail',
      'prox-101',
      120,
      '10.50.0.40',
      { cores: 2, memoryGib: 4, diskGib: 60 },
      [
        {
          kind: 'compose',
          name: 'mail',
          services: [
            {
              name: 'mailserver',
              image: 'ghcr.io/docker-mailserver/docker-mailserver:14.0.0',
              ports: ['25:25', '465:465', '587:587', '993:993'],
              volumes: ['mail-data:/var/mail', 'mail-state:/var/mail-state', '/etc/letsencrypt:/etc/letsencrypt:ro'],
              env: { OVERRIDE_HOSTNAME: 'mail.chat.example.org', SSL_TYPE: 'letsencrypt', ENABLE_FAIL2BAN: '1' },
              stateful: true,
            },
          ],
        },
      ],
      { stateful: true },
    ),
    // prox-106: the application.
    vm('api', 'app', 'prox-106', 130, '10.50.0.50', { cores: 8, memoryGib: 16, diskGib: 40 }, [
      {
        kind: 'compose',
        name: 'api',
        services: [
          {
            name: 'api',
            image: API_IMAGE,
            command: ['node', 'dist/server.js'],
            ports: ['10.50.0.50:3000:3000'],
            env: APP_ENV,
            secrets: APP_SECRETS,
            healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/trpc/health'] },
          },
        ],
      },
    ]),
    vm('ai', 'app', 'prox-106', 131, '10.50.0.51', { cores: 4, memoryGib: 8, diskGib: 40 }, [
      {
        kind: 'compose',
        name: 'ai-service',
        services: [
          {
            name: 'ai-service',
            image: AI_IMAGE,
            command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'],
            ports: ['10.50.0.51:8000:8000'],
            env: APP_ENV,
            secrets: APP_SECRETS,
            healthcheck: { test: ['CMD', 'python', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/health")'] },
          },
        ],
      },
    ]),
    vm('workers', 'worker', 'prox-106', 132, '10.50.0.52', { cores: 4, memoryGib: 8, diskGib: 40 }, [
      { kind: 'worker', image: WORKER_IMAGE, command: ['node', 'dist/worker.js'], replicas: 2, env: APP_ENV, secrets: APP_SECRETS },
    ]),
    vm('proxy', 'proxy', 'prox-106', 133, '10.50.0.10', { cores: 2, memoryGib: 4, diskGib: 20 }, [
      { kind: 'nginx-proxy', serverName: 'chat.example.org', upstreams: ['api'], upstreamPort: 3000, tls: 'certbot', rateLimitPerSecond: 20 },
    ]),
    {
      // prox-102, another data centre: a restic REST server on its own disks, a second copy of
      // the PostgreSQL dumps that already go to the Storage Box.
      name: 'prox-102',
      kind: 'external',
      role: 'backup',
      network: 'public',
      cores: 16,
      memoryGib: 64,
      ipv4: '203.0.113.102',
      tags: ['proxmox-standalone', 'offsite'],
      stacks: [
        {
          kind: 'compose',
          name: 'restic',
          services: [
            {
              name: 'rest-server',
              image: 'restic/rest-server:0.13.0',
              env: { OPTIONS: '--append-only --private-repos' },
              ports: ['8000:8000'],
              volumes: ['/srv/restic:/data'],
              stateful: true,
            },
          ],
        },
      ],
    },
  ];

  const appGuests = ['api', 'ai', 'workers'];
  const connections: ConnectionSpec[] = [
    { from: 'internet', to: 'proxy', ports: ['tcp/80', 'tcp/443'], description: 'Public HTTPS entry point' },
    { from: 'internet', to: 'stg-frontend', ports: ['tcp/80', 'tcp/443'], description: 'Staging site (behind basic auth)' },
    { from: 'internet', to: 'mail', ports: ['tcp/25', 'tcp/465', 'tcp/587', 'tcp/993'], description: 'SMTP, submission and IMAPS' },
    { from: 'proxy', to: 'api', ports: 'tcp/3000', description: 'nginx to the tRPC API' },
    { from: 'api', to: 'ai', ports: 'tcp/8000', description: 'API to the FastAPI AI service' },
    { from: appGuests, to: 'postgres', ports: `tcp/${pgPort}`, description: 'PostgreSQL, from the application guests only' },
    { from: appGuests, to: 'redis', ports: 'tcp/6379', description: 'Main Redis: sessions, BullMQ queues' },
    { from: ['ai', 'workers'], to: 'gpu-server', ports: ['tcp/8001', 'tcp/9000'], description: 'vLLM and Whisper on the GPU server' },
    { from: 'stg-frontend', to: 'stg-api', ports: 'tcp/3000', description: 'Staging nginx to the staging API' },
    { from: 'stg-api', to: 'stg-db', ports: 'tcp/5432', description: 'Staging database' },
    { from: 'postgres', to: 'prox-102', ports: 'tcp/8000', description: 'Off-site restic copy of the dumps' },
  ];
  if (opts.incidents) {
    connections.push(
      { from: 'internet', to: 'postgres', ports: `tcp/${PLANNED_PG_PORT}`, description: 'INCIDENT: "temporary" access for a BI tool, never closed' },
      { from: 'internet', to: ['postgres', 'api', 'bastion'], ports: 'tcp/22', description: 'INCIDENT: SSH open to the world' },
      { from: 'internet', to: 'gpu-server', ports: 'tcp/2222', description: 'INCIDENT: SSH on a "hidden" port, open to the world' },
    );
  }

  return {
    name: opts.name,
    description: opts.description,
    cluster: {
      nodes: [appNode('prox-101'), appNode('prox-106')],
      vmIdRange: { from: 100, to: 199 },
      endpoint: 'https://prox-101.chat.example.org:8006',
    },
    networks: [
      // A Hetzner vSwitch (VLAN 4000) joins the rented servers privately: vmbr4000 is bridged to
      // enp0s31f6.4000 on every node, so guest NICs stay untagged. The plan as it ran also tagged
      // them with 4000, which double-tags every frame (PVE-NET-006).
      {
        name: 'private',
        bridge: 'vmbr4000',
        cidr: '10.50.0.0/24',
        gateway: '10.50.0.1',
        ...(opts.incidents ? { vlan: 4000 } : { bridgeVlan: 4000 }),
        domain: 'chat.internal',
      },
      { name: 'public', bridge: 'vmbr0', cidr: '203.0.113.0/24', gateway: '203.0.113.1' },
    ],
    admin: {
      cidrs: ['198.51.100.0/24'],
      sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPYNt5yjF8Lrtypzyj2o2m9tRWHwckRzwCXDp5WcQHUa ops@chat.example.org'],
      user: 'ops',
      bastion: 'bastion',
    },
    guests,
    zfsPools: [mirrorPool('prox-101'), mirrorPool('prox-106')],
    storageBoxes: [
      {
        name: 'storagebox',
        host: 'u234567.your-storagebox.de',
        user: 'u234567',
        capacityGib: 5120,
        passwordSecret: 'storagebox-password',
        sshKeySecret: 'storagebox-ssh-key',
        // The box's host key for SSHFS (ssh-keyscan -p 23 u234567.your-storagebox.de, checked against Hetzner's fingerprints).
        hostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIICf9svRenC/PLKIL9nk6K/pxQgoiFC41wTNvoIncOxs'],
        proxmoxStorageId: 'storagebox',
      },
    ],
    connections,
    secrets: SECRETS,
    backend: { type: 'local' },
  };
}

const SECRETS: Record<string, SecretSpec> = {
  'postgres-password': { env: 'PVESTACK_POSTGRES_PASSWORD', description: 'Password of the chat database user.' },
  'stg-postgres-password': { env: 'PVESTACK_STG_POSTGRES_PASSWORD', description: 'Password of the staging database user (different from production).' },
  'redis-password': { env: 'PVESTACK_REDIS_PASSWORD', description: 'Redis AUTH password.' },
  'vllm-api-key': { env: 'PVESTACK_VLLM_API_KEY', description: 'Bearer key the AI service and workers send to vLLM.' },
  'hf-token': { env: 'PVESTACK_HF_TOKEN', description: 'Hugging Face read token for downloading weights.' },
  'storagebox-password': { env: 'PVESTACK_STORAGEBOX_PASSWORD', description: 'CIFS password of the Storage Box account.' },
  'storagebox-ssh-key': { env: 'PVESTACK_STORAGEBOX_SSH_KEY', description: 'Private key for SSHFS to the Storage Box (port 23).' },
};
