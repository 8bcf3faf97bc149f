/**
 * Architecture B, the AI showcase lab: one Proxmox host (`phoenix`, two RTX 5060 Ti 16 GB) with
 * two LXCs that serve models from the host's NVIDIA driver, a Portainer LXC, three VMs that mirror
 * the hosted server (`rumpledev`, `rumpletest`, `rumpleprod`), and the hosted VPS `rumple` itself
 * as an external deploy target reachable only through a Cloudflare tunnel.
 *
 * `lab` builds it as it should be; `lab-as-planned` builds the plan's mistake (both GPU consumers
 * on the same card, no host driver version recorded) so the GPU checks are proven on it.
 */
import type { ConnectionSpec, EnvironmentSpec, GuestSpec, NodeSpec, SecretSpec, StackSpec, VllmStackSpec } from '../../../model';

const GPU_MODEL = 'NVIDIA GeForce RTX 5060 Ti 16GB';
/** PCI id of the GB206 RTX 5060 Ti (both cards are identical, so the ids match: map them by address). */
const GPU_DEVICE_ID = '10de:2d04';

/** Qwen2.5-7B's config.json facts; the AWQ checkpoints keep the architecture. */
const QWEN25_7B_FACTS = { paramsBillion: 7.616, layers: 28, attentionHeads: 28, kvHeads: 4, headDim: 128, intermediateSize: 18944 } as const;

export interface ShowcaseLabOptions {
  readonly name: string;
  readonly description: string;
  /** GPU mapping given to the second consumer (`gpu-code`); the first (`gpu-api`) always gets `gpu-phoenix-0`. */
  readonly secondConsumerGpu: 'gpu-phoenix-0' | 'gpu-phoenix-1';
  /**
   * Host NVIDIA driver version recorded on `phoenix`. An LXC uses the host's kernel module, so
   * its user-space driver must be exactly this version; leaving it out is the plan's second mistake.
   */
  readonly nvidiaDriverVersion?: string;
}

const PHOENIX = (driver: string | undefined): NodeSpec => ({
  name: 'phoenix',
  cpuThreads: 16,
  memoryGib: 64,
  ...(driver ? { nvidiaDriverVersion: driver } : {}),
  datastores: [
    { id: 'local-lvm', type: 'lvmthin', media: 'nvme', capacityGib: 1800 },
    // snippets and import are added by the proxmox-host-storage playbook.
    { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
  ],
  gpus: [
    // Subsystem ids and IOMMU groups as `pvesh get /nodes/phoenix/hardware/pci` lists them (two partner cards).
    {
      name: 'gpu-phoenix-0',
      pciAddress: '0000:01:00.0',
      model: GPU_MODEL,
      vramGib: 16,
      deviceId: GPU_DEVICE_ID,
      subsystemId: '1043:8a5b',
      iommuGroup: 13,
      allFunctions: true,
      computeCapability: 12.0,
    },
    {
      name: 'gpu-phoenix-1',
      pciAddress: '0000:02:00.0',
      model: GPU_MODEL,
      vramGib: 16,
      deviceId: GPU_DEVICE_ID,
      subsystemId: '1043:8a5b',
      iommuGroup: 16,
      allFunctions: true,
      computeCapability: 12.0,
    },
  ],
});

/** A 4-bit 7B model with an 8K context: ≈5.5 GiB of weights, the rest of the 16 GB is KV cache. */
function vllm7b(model: string, servedModelName: string): VllmStackSpec {
  return {
    kind: 'vllm',
    model,
    servedModelName,
    quantization: 'awq',
    dtype: 'float16',
    gpuMemoryUtilization: 0.88,
    maxModelLen: 8192,
    apiKeySecret: 'vllm-api-key',
    hfTokenSecret: 'hf-token',
    modelCacheDir: '/srv/models',
    modelFacts: QWEN25_7B_FACTS,
  };
}

function gpuLxc(name: string, ipv4: string, vmId: number, gpu: string, stack: VllmStackSpec): GuestSpec {
  return {
    name,
    kind: 'lxc',
    role: 'llm',
    node: 'phoenix',
    vmId,
    // The plan said 1-2 vCPU / 1-4 GB; vLLM loads weights through host RAM and its API server and
    // tokenizer need a few cores, so the containers get 4 vCPU / 12 GB.
    cores: 4,
    memoryGib: 12,
    disks: [{ sizeGib: 60, datastore: 'local-lvm' }],
    ipv4,
    gpus: [gpu],
    stacks: [stack],
    suppressions: [{ rule: 'PVE-DATA-004', reason: 'The model cache holds downloaded weights only; a lost disk costs a re-download, not data.' }],
  };
}

/**
 * The showcase stack that runs on Rumple and on each of its mirrors: nginx routes subdomains to
 * Open WebUI, n8n and Grafana; PostgreSQL backs n8n; Redis holds Open WebUI's sessions.
 * (The plan's nginx-rtmp server and Nextcloud/Paperless are left out of the example: they add
 * images, not new kinds of infrastructure.)
 */
function showcaseStacks(domain: string, gpuApiUrl: string, opts: { tunnel: boolean; portainerAgent: boolean; monitoringTargets?: string[] }): StackSpec[] {
  const stacks: StackSpec[] = [
    {
      kind: 'compose',
      name: 'edge',
      services: [
        {
          name: 'nginx',
          image: 'nginx:1.27-alpine',
          // Subdomain routing (chat., n8n., grafana.<domain>) lives in the conf.d files the team keeps in git.
          // Behind the tunnel nginx publishes nothing: cloudflared reaches it on the compose network.
          ...(opts.tunnel ? {} : { ports: ['80:80', '443:443'] }),
          volumes: ['/srv/edge/conf.d:/etc/nginx/conf.d:ro', '/srv/edge/certs:/etc/nginx/certs:ro'],
          healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/healthz'], intervalSeconds: 15 },
        },
        ...(opts.tunnel
          ? [
              {
                // Outbound-only connector: Cloudflare forwards *.<domain> to nginx, so Rumple needs no open port.
                name: 'cloudflared',
                image: 'cloudflare/cloudflared:2024.10.0',
                command: ['tunnel', '--no-autoupdate', 'run', '--url', 'http://nginx:80'],
                secrets: ['cloudflare-tunnel-token'],
                dependsOn: ['nginx'],
              },
            ]
          : []),
      ],
    },
    {
      kind: 'open-webui',
      image: 'ghcr.io/open-webui/open-webui:v0.3.35',
      env: { OPENAI_API_BASE_URL: gpuApiUrl, WEBUI_URL: `https://chat.${domain}` },
      secrets: ['vllm-api-key', 'webui-secret-key'],
    },
    {
      kind: 'n8n',
      image: 'docker.n8n.io/n8nio/n8n:1.66.0',
      env: { N8N_HOST: `n8n.${domain}`, DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: '127.0.0.1', DB_POSTGRESDB_DATABASE: 'n8n' },
      secrets: ['postgres-password', 'n8n-encryption-key'],
    },
    { kind: 'postgres', profile: 'web', maxConnections: 50, storage: 'nvme', database: 'n8n', user: 'n8n', passwordSecret: 'postgres-password' },
    { kind: 'redis', passwordSecret: 'redis-password', persistence: 'rdb', maxMemoryMib: 256 },
    { kind: 'monitoring', grafanaAdminSecret: 'grafana-admin', ...(opts.monitoringTargets ? { targets: opts.monitoringTargets } : {}) },
  ];
  if (opts.portainerAgent) stacks.push({ kind: 'portainer-agent', image: 'portainer/agent:2.21.4' });
  return stacks;
}

function mirror(name: string, ipv4: string, vmId: number, monitoringTargets?: string[]): GuestSpec {
  return {
    name,
    kind: 'vm',
    role: 'app',
    node: 'phoenix',
    vmId,
    cores: 2,
    memoryGib: 6,
    disks: [{ sizeGib: 80, datastore: 'local-lvm' }],
    ipv4,
    tags: ['rumple-mirror'],
    stacks: showcaseStacks(`${name}.lab.example.org`, 'http://10.40.0.20:8000/v1', {
      tunnel: false,
      portainerAgent: true,
      ...(monitoringTargets ? { monitoringTargets } : {}),
    }),
  };
}

const SECRETS: Record<string, SecretSpec> = {
  'vllm-api-key': { env: 'PVESTACK_VLLM_API_KEY', description: 'Bearer key Open WebUI and n8n send to the GPU APIs.' },
  'hf-token': { env: 'PVESTACK_HF_TOKEN', description: 'Hugging Face read token for downloading weights.' },
  'postgres-password': { env: 'PVESTACK_POSTGRES_PASSWORD', description: 'Password of the n8n database user.' },
  'redis-password': { env: 'PVESTACK_REDIS_PASSWORD', description: 'Redis AUTH password.' },
  'grafana-admin': { env: 'PVESTACK_GRAFANA_ADMIN_PASSWORD', description: 'Grafana admin password.' },
  'webui-secret-key': { env: 'PVESTACK_WEBUI_SECRET_KEY', description: 'Open WebUI session signing key.' },
  'n8n-encryption-key': { env: 'PVESTACK_N8N_ENCRYPTION_KEY', description: 'Key n8n encrypts stored credentials with; losing it loses them.' },
  'cloudflare-tunnel-token': {
    env: 'PVESTACK_CLOUDFLARE_TUNNEL_TOKEN',
    description: 'Token of the Cloudflare tunnel that fronts Rumple; rotated in the Cloudflare dashboard.',
  },
};

export function showcaseLab(opts: ShowcaseLabOptions): EnvironmentSpec {
  const guests: GuestSpec[] = [
    {
      name: 'portainer',
      kind: 'lxc',
      role: 'management',
      node: 'phoenix',
      vmId: 200,
      cores: 1,
      memoryGib: 2,
      disks: [{ sizeGib: 10, datastore: 'local-lvm' }],
      ipv4: '10.40.0.10',
      stacks: [{ kind: 'portainer', image: 'portainer/portainer-ce:2.21.4', port: 9000 }],
    },
    gpuLxc('gpu-api', '10.40.0.20', 201, 'gpu-phoenix-0', vllm7b('Qwen/Qwen2.5-7B-Instruct-AWQ', 'qwen2.5-7b-instruct')),
    gpuLxc('gpu-code', '10.40.0.21', 202, opts.secondConsumerGpu, vllm7b('Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', 'qwen2.5-coder-7b-instruct')),
    mirror('rumpledev', '10.40.0.31', 211),
    mirror('rumpletest', '10.40.0.32', 212),
    // The production mirror's Prometheus also watches the shared lab guests: their disks, the GPUs
    // (node- and dcgm-exporter are derived for them, model/derived-exporters.ts) and the vLLM APIs.
    mirror('rumpleprod', '10.40.0.33', 213, ['portainer', 'gpu-api', 'gpu-code']),
    {
      // The hosted VPS: a deploy target only. Its provider firewall (not pvestack's) drops inbound
      // traffic except SSH from the admin range; the web reaches it only through the tunnel.
      name: 'rumple',
      kind: 'external',
      role: 'app',
      network: 'hosted',
      cores: 4,
      memoryGib: 8,
      ipv4: '203.0.113.10',
      tags: ['hosted-vps'],
      // Rumple is not on the lab's network: its Open WebUI reaches the GPU API through the lab's
      // own Cloudflare Access hostname.
      stacks: showcaseStacks('rumple.example.org', 'https://gpu-api.lab.example.org/v1', { tunnel: true, portainerAgent: false }),
    },
  ];

  const mirrors = ['rumpledev', 'rumpletest', 'rumpleprod'];
  const connections: ConnectionSpec[] = [
    { from: 'admin', to: mirrors, ports: ['tcp/80', 'tcp/443'], description: 'The mirrors’ web UIs, for the team on the LAN/VPN' },
    { from: 'admin', to: 'portainer', ports: 'tcp/9000', description: 'Portainer UI' },
    { from: 'portainer', to: mirrors, ports: 'tcp/9001', description: 'Portainer agent on each mirror' },
    { from: mirrors, to: ['gpu-api', 'gpu-code'], ports: 'tcp/8000', description: 'OpenAI-compatible APIs for Open WebUI and n8n' },
  ];

  return {
    name: opts.name,
    description: opts.description,
    cluster: {
      nodes: [PHOENIX(opts.nvidiaDriverVersion)],
      vmIdRange: { from: 200, to: 299 },
      endpoint: 'https://phoenix.lab.example.org:8006',
      minProxmoxVersion: '8.4',
      // The GPU containers need device passthrough and Docker's keyctl flag, which Proxmox allows
      // only for root@pam (pve-container check_ct_modify_config_perm): apply with root's password.
      providerAuth: 'root-password',
    },
    networks: [
      { name: 'lab', bridge: 'vmbr0', cidr: '10.40.0.0/24', gateway: '10.40.0.1', domain: 'lab.example.org' },
      // Rumple's provider network, for the inventory only: pvestack creates nothing there.
      { name: 'hosted', bridge: 'eth0', cidr: '203.0.113.0/24', gateway: '203.0.113.1' },
    ],
    admin: {
      cidrs: ['198.51.100.0/24'],
      sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMvHRixnOuZ3kxfolzMahI8DXUuAtkN7+MGErqtK5ZF4 ops@lab.example.org'],
      user: 'ops',
    },
    guests,
    connections,
    secrets: SECRETS,
    backend: { type: 'local' },
  };
}
