/**
 * The environment `pvestack init` writes: a proxy in front of a Next.js app, PostgreSQL with
 * nightly backups to a Storage Box, optionally Redis and a vLLM server on a passed-through GPU.
 * It passes `pvestack check` as written (a public entry point only on the proxy, stateful data on a
 * redundant datastore, an off-site backup target) and its comments name the next fields to set.
 * Hardware facts it cannot know (PCI addresses, IOMMU groups) are marked as such.
 */
import { Cidr, intToIpv4 } from '../model';
import { field, inline, note, obj, type Obj, type Value } from './document';

/** Stacks `init` can lay out; `web` is the proxy plus the Next.js app. */
export const SCAFFOLD_STACKS = ['web', 'postgres', 'redis', 'vllm'] as const;
export type ScaffoldStack = (typeof SCAFFOLD_STACKS)[number];

export interface ScaffoldOptions {
  readonly name: string;
  /** Proxmox nodes, named pve1…pveN. */
  readonly nodes: number;
  /** GPUs in the first node (0 for none). */
  readonly gpus: number;
  /** @default 'NVIDIA RTX 4090' */
  readonly gpuModel?: string;
  /** @default 24 */
  readonly gpuVramGib?: number;
  /** Hugging Face model id vLLM serves. @default 'Qwen/Qwen2.5-7B-Instruct' */
  readonly model?: string;
  readonly stacks: readonly ScaffoldStack[];
  /** Private network of the guests. @default '10.20.0.0/24' */
  readonly cidr?: string;
  /** Where the admins work from (SSH and the Proxmox UI). @default the private network */
  readonly adminCidr?: string;
  /** One OpenSSH public key line. */
  readonly sshKey: string;
  /** Public host name the proxy serves. @default 'app.example.org' */
  readonly domain?: string;
}

const PLACEHOLDER = 'placeholder: `pvestack discover --node <node>` prints the real values';

/** The guest's address: host `offset` of the network. */
function address(cidr: Cidr, offset: number): string {
  return intToIpv4(cidr.network + offset);
}

function nodeEntry(i: number, o: ScaffoldOptions): Obj {
  const gpus = i === 0 ? o.gpus : 0;
  return obj(
    field('name', `pve${i + 1}`, ...(i === 0 ? ['Proxmox node name as `pvesh get /nodes` lists it.'] : [])),
    field('cpuThreads', 32, ...(i === 0 ? ['Threads and RAM of the machine: the capacity checks add up what the guests claim.'] : [])),
    field('memoryGib', 128),
    field(
      'datastores',
      [
        inline(field('id', 'local-zfs'), field('type', 'zfspool'), field('media', 'nvme'), field('redundant', true)),
        inline(field('id', 'local'), field('type', 'dir'), field('content', ['iso', 'vztmpl', 'backup', 'snippets', 'import'])),
      ],
      ...(i === 0
        ? [
            'redundant: true only if the pool is a mirror or RAIDZ (the installer\'s "ZFS RAID1" is); stateful disks',
            'must sit on a redundant datastore. Add capacityGib (`pvesm status`) to have disk claims checked.',
            'local holds cloud-init snippets and imported cloud images: `pvestack ansible <env> proxmox-host-storage`',
            'adds snippets and import to its content on the node.',
          ]
        : []),
    ),
    gpus > 0 &&
      field(
        'gpus',
        Array.from({ length: gpus }, (_, g) =>
          inline(
            field('name', `gpu${g}`),
            field('pciAddress', `0000:0${g + 1}:00.0`),
            field('model', o.gpuModel ?? 'NVIDIA RTX 4090'),
            field('vramGib', o.gpuVramGib ?? 24),
            field('deviceId', '10de:2684'),
            field('subsystemId', '10de:16a1'),
            field('iommuGroup', 14 + g),
          ),
        ),
        `GPUs for passthrough (${PLACEHOLDER}; lspci -nnD shows them too).`,
      ),
  );
}

interface Plan {
  readonly web: boolean;
  readonly postgres: boolean;
  readonly redis: boolean;
  readonly vllm: boolean;
}

function guests(o: ScaffoldOptions, p: Plan, cidr: Cidr): Obj[] {
  // Spread the guests: stateful and GPU guests on the first node, the web tier on the last.
  const first = 'pve1';
  const last = `pve${o.nodes}`;
  const disk = (sizeGib: number) => inline(field('sizeGib', sizeGib), field('datastore', 'local-zfs'));
  const out: Obj[] = [];
  if (p.web) {
    out.push(
      obj(
        field('name', 'proxy', 'The only guest the internet reaches (80/443): nginx terminates TLS (certbot) and balances the app.'),
        field('kind', 'vm'),
        field('role', 'proxy'),
        field('node', last),
        field('cores', 2),
        field('memoryGib', 2),
        field('ipv4', address(cidr, 10)),
        field('disks', [disk(20)]),
        field('stacks', [inline(field('kind', 'nginx-proxy'), field('serverName', o.domain ?? 'app.example.org'), field('upstreams', ['web']))]),
        note('vmId: 120 — optional, a fixed Proxmox id inside cluster.vmIdRange; left out, Proxmox picks one.'),
      ),
    );
    const secrets = [...(p.postgres ? ['db-password'] : []), ...(p.redis ? ['redis-password'] : []), 'session-secret', ...(p.vllm ? ['vllm-api-key'] : [])];
    out.push(
      obj(
        field('name', 'web'),
        field('kind', 'vm'),
        field('role', 'web'),
        field('node', last),
        field('cores', 2),
        field('memoryGib', 4),
        field('ipv4', address(cidr, 11)),
        field('disks', [disk(20)]),
        field(
          'stacks',
          [inline(field('kind', 'nextjs'), field('image', 'ghcr.io/example/web:1.0.0'), field('secrets', secrets))],
          'Your app image, pinned by tag or digest (never :latest). Secrets are passed by name as env vars.',
          'replicas: 2 runs two containers behind the proxy; env: { KEY: value } adds plain settings.',
        ),
      ),
    );
  }
  if (p.postgres) {
    out.push(
      obj(
        field('name', 'db'),
        field('kind', 'vm'),
        field('role', 'db'),
        field('node', first),
        field('cores', 4),
        field('memoryGib', 8),
        field('ipv4', address(cidr, 20)),
        field(
          'disks',
          [disk(20), inline(field('name', 'pgdata'), field('sizeGib', 100), field('datastore', 'local-zfs'), field('mountPoint', '/var/lib/postgresql'))],
          'The data disk is protected (prevent_destroy); postgresql.conf is derived from cores, RAM and disk.',
        ),
        field('storageBoxMounts', [inline(field('box', 'offsite'))]),
        field(
          'stacks',
          [
            obj(
              field('kind', 'postgres'),
              field('database', 'app'),
              field('passwordSecret', 'db-password'),
              field(
                'backup',
                inline(field('mountPoint', '/mnt/storagebox'), field('retentionDays', 30)),
                'Nightly pg_dump and WAL archive onto the Storage Box mounted above.',
              ),
            ),
          ],
          'pgvector image; profile: web | oltp | dw and maxConnections tune it.',
        ),
      ),
    );
  }
  if (p.redis) {
    out.push(
      obj(
        field('name', 'cache'),
        // A VM: Docker in an unprivileged container needs the keyctl feature, which an API token may not set.
        field('kind', 'vm', 'A small VM: Docker inside a container would need feature flags only root@pam may set.'),
        field('role', 'cache'),
        field('node', last),
        field('cores', 1),
        field('memoryGib', 2),
        field('ipv4', address(cidr, 21)),
        field('disks', [disk(8)]),
        field('stacks', [inline(field('kind', 'redis'), field('passwordSecret', 'redis-password'), field('maxMemoryMib', 1536))]),
      ),
    );
  }
  if (p.vllm) {
    out.push(
      obj(
        field('name', 'llm'),
        field('kind', 'vm', 'A VM, not a container: the GPU is passed through (q35, OVMF, no ballooning).'),
        field('role', 'llm'),
        field('node', first),
        field('cores', 8),
        field('memoryGib', 32),
        field('ipv4', address(cidr, 30)),
        field('gpus', ['gpu0']),
        field('disks', [disk(200)], 'Room for the model cache (weights are downloaded on first start).'),
        field('stacks', [
          obj(
            field('kind', 'vllm'),
            field(
              'model',
              o.model ?? 'Qwen/Qwen2.5-7B-Instruct',
              "check computes whether weights + KV cache fit the GPU: from its table, modelFacts, or the model's",
              'config.json and model.safetensors.index.json in your Hugging Face cache (huggingface-cli download MODEL config.json model.safetensors.index.json).',
            ),
            field('gpuMemoryUtilization', 0.9),
            field('maxModelLen', 8192),
            field('apiKeySecret', 'vllm-api-key'),
            note('quantization: awq for an AWQ checkpoint; kvCacheDtype: fp8 halves the KV cache; hfTokenSecret: for gated models.'),
          ),
        ]),
      ),
    );
  }
  return out;
}

function connections(p: Plan): Value {
  const c = (from: string, to: string, ports: Value, description?: string) =>
    inline(field('from', from), field('to', to), field('ports', ports), ...(description ? [field('description', description)] : []));
  return [
    ...(p.web ? [c('internet', 'proxy', ['tcp/80', 'tcp/443']), c('proxy', 'web', 'tcp/3000')] : []),
    ...(p.web && p.postgres ? [c('web', 'db', 'tcp/5432')] : []),
    ...(p.web && p.redis ? [c('web', 'cache', 'tcp/6379')] : []),
    ...(p.web && p.vllm ? [c('web', 'llm', 'tcp/8000')] : []),
  ];
}

function secrets(name: string, p: Plan): Obj {
  const s = (key: string, env: string, description: string) => field(key, inline(field('env', env), field('description', description)));
  const env = (suffix: string) => `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;
  return obj(
    p.postgres && s('db-password', env('DB_PASSWORD'), "Password of the app's PostgreSQL user (openssl rand -base64 24)."),
    p.redis && s('redis-password', env('REDIS_PASSWORD'), 'Password of the Redis server (openssl rand -base64 24).'),
    p.web && s('session-secret', env('SESSION_SECRET'), "Signing key of the web app's sessions (openssl rand -base64 32)."),
    p.vllm && s('vllm-api-key', env('VLLM_API_KEY'), 'Bearer key the web app sends to the vLLM API (openssl rand -hex 24).'),
    p.postgres && s('storagebox-password', env('STORAGEBOX_PASSWORD'), 'CIFS password of the Storage Box account (Hetzner Robot, Storage Box settings).'),
  );
}

/** Reasons a combination of options cannot be laid out; empty when it can. */
export function scaffoldProblems(o: ScaffoldOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 9) problems.push(`--nodes must be a whole number from 1 to 9 (got ${o.nodes})`);
  if (!Number.isInteger(o.gpus) || o.gpus < 0 || o.gpus > 8) problems.push(`--gpus must be a whole number from 0 to 8 (got ${o.gpus})`);
  if (o.stacks.includes('vllm') && o.gpus < 1) problems.push('the vllm stack needs a GPU: add --gpus 1 (or leave vllm out of --stacks)');
  if (o.stacks.length === 0) problems.push('--stacks must name at least one of web, postgres, redis, vllm');
  if (o.cidr !== undefined && !Cidr.tryParse(o.cidr)) problems.push(`--cidr must be a network such as 10.20.0.0/24 (got ${JSON.stringify(o.cidr)})`);
  if (o.cidr !== undefined && Cidr.tryParse(o.cidr) && Cidr.tryParse(o.cidr)!.prefix > 26)
    problems.push('--cidr must hold at least 64 addresses (/26 or wider)');
  return problems;
}

/** The commented document of the environment. Call `scaffoldProblems` first. */
export function scaffoldEnvironment(o: ScaffoldOptions): Obj {
  const cidr = Cidr.parse(o.cidr ?? '10.20.0.0/24');
  const p: Plan = {
    web: o.stacks.includes('web'),
    postgres: o.stacks.includes('postgres'),
    redis: o.stacks.includes('redis'),
    vllm: o.stacks.includes('vllm'),
  };
  return obj(
    field('name', o.name, 'Names the output directory (cdktf.out/stacks/<name>/) and prefixes Proxmox tags; keep it unique.'),
    field(
      'description',
      `${o.name}: ${[p.web && 'web app behind nginx', p.postgres && 'PostgreSQL', p.redis && 'Redis', p.vllm && 'vLLM'].filter(Boolean).join(', ')} on Proxmox VE`,
    ),
    field(
      'cluster',
      obj(
        field(
          'nodes',
          Array.from({ length: o.nodes }, (_, i) => nodeEntry(i, o)),
        ),
        note('vmIdRange: { from: 100, to: 999 } — the ids pvestack may use; endpoint: https://pve1:8006/ for the provider.'),
      ),
    ),
    field(
      'networks',
      [inline(field('name', 'private'), field('bridge', 'vmbr1'), field('cidr', cidr.toString()), field('gateway', address(cidr, 1)))],
      "The guests' network: a Linux bridge on every node (vmbr1 here); add domain: and dns: [...] to name hosts.",
    ),
    field(
      'admin',
      obj(
        field(
          'cidrs',
          [o.adminCidr ?? cidr.toString()],
          'Where you administer from (office, VPN): SSH and the Proxmox UI (8006) are reachable only from here.',
        ),
        field('sshKeys', [o.sshKey], 'Public keys (the .pub line) allowed on every guest.'),
        note('bastion: proxy — or reach the guests through one jump host.'),
      ),
    ),
    p.postgres &&
      field(
        'storageBoxes',
        [
          inline(
            field('name', 'offsite'),
            field('host', 'u123456.your-storagebox.de'),
            field('user', 'u123456'),
            field('passwordSecret', 'storagebox-password'),
          ),
        ],
        'Off-site backup target (a Hetzner Storage Box; the account name is in Hetzner Robot). Mounted in guests over CIFS.',
      ),
    field('guests', guests(o, p, cidr), 'One entry per VM, container or existing machine (kind: external). Each gets its address, disks and stacks.'),
    field('connections', connections(p), 'Allowed flows; everything else is dropped. internet → proxy is the only public entry point.'),
    field('secrets', secrets(o.name, p), 'Secrets by name: the value comes from the environment variable at deploy time, never from this file.'),
    note(
      'checks: { suppressions: [{ rule: PVE-CAP-005, reason: "why it is fine" }] } — accept a finding, with the reason.',
      'backend: { type: s3, ... } — where Terraform keeps its state (default: a local file).',
    ),
  );
}
