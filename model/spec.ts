/**
 * The environment spec: the one typed description of an environment.
 *
 * `EnvironmentSpec` is what a user writes (in `stacks/<env>.ts` or a YAML file); fields with a
 * documented `@default` may be left out. `validateEnvironment()` checks it once and returns an
 * `Environment` (see `environment.ts`) with every default filled in: that is what every construct,
 * renderer, check and executor reads. Secrets appear here only by reference (a name that maps to
 * an environment variable), never by value.
 */

/** Sizes are plain numbers in GiB (memory, disks) so that specs stay readable in YAML. */
export type Gib = number;

export type DatastoreMedia = 'nvme' | 'ssd' | 'hdd' | 'network';
export type DatastoreType = 'lvmthin' | 'lvm' | 'zfspool' | 'dir' | 'cifs' | 'nfs' | 'rbd';

/**
 * What a Proxmox storage may hold (its `content` list, `pvesm set <id> --content ...`). pve-storage
 * `src/PVE/Storage/Plugin.pm` defines the names; each plugin (`DirPlugin.pm`, `LvmThinPlugin.pm`, ...)
 * lists which of them it supports.
 * - `images`: VM disks; `rootdir`: container volumes;
 * - `snippets`: cloud-init files (`cicustom`), uploaded by `proxmox_virtual_environment_file`;
 * - `import`: cloud images VM disks are imported from (`download_file` with `content_type = "import"`, Proxmox VE >= 8.4);
 * - `vztmpl`: container templates; `iso`: ISO images; `backup`: vzdump archives.
 */
export type StorageContentType = 'images' | 'rootdir' | 'snippets' | 'import' | 'iso' | 'vztmpl' | 'backup';

export interface DatastoreSpec {
  /** Proxmox storage id, e.g. `local-lvm`, `tank-db`. */
  readonly id: string;
  readonly type: DatastoreType;
  /** @default 'ssd' */
  readonly media?: DatastoreMedia;
  /** Usable capacity; for a ZFS pool declared in `zfsPools` it is computed from the layout instead. */
  readonly capacityGib?: Gib;
  /** Whether the storage survives a disk failure (mirror, raidz, RAID controller). @default false for lvmthin/dir, derived for ZFS pools */
  readonly redundant?: boolean;
  /**
   * The content types the storage holds on the node, as `pvesm status --content <type>` or
   * `/etc/pve/storage.cfg` shows them. The host playbook `proxmox-host-storage` adds missing ones
   * (keeping the others), and the checks fail when a node's snippet, image or template datastore
   * lacks the type it needs.
   * @default what Proxmox gives that storage: the installer's `local` (dir) has `iso, vztmpl, backup`;
   *   `local-lvm` and other `lvmthin`/`zfspool` storages `images, rootdir`; another `dir` `images, rootdir`;
   *   `lvm`, `rbd`, `nfs`, `cifs` `images` (pve-storage plugin defaults)
   */
  readonly content?: readonly StorageContentType[];
}

export interface GpuSpec {
  /** Name of the cluster PCI resource mapping (`hardware_mapping_pci`), unique in the cluster, e.g. `gpu-l40s-pve4`. */
  readonly name: string;
  /** Full PCI address on the node, `0000:01:00.0`. */
  readonly pciAddress: string;
  /** Marketing name, for reports, e.g. `NVIDIA L40S`. */
  readonly model: string;
  readonly vramGib: Gib;
  /** PCI vendor:device id (`10de:26b9`), used by the vfio-pci playbook and the mapping. */
  readonly deviceId?: string;
  /**
   * PCI subsystem vendor:device id (`lspci -nns <addr> -vv` "Subsystem: ... [10de:1851]", or
   * `pvesh get /nodes/<node>/hardware/pci` `subsystem_vendor:subsystem_device`). Emitted as the
   * mapping's `subsystem_id`: Proxmox refuses to start a VM whose mapping lacks it when the device
   * has one (pve-guest-common `src/PVE/Mapping/PCI.pm`, `assert_valid`). Required for GPUs mapped
   * into VMs (check PVE-GPU-007).
   */
  readonly subsystemId?: string;
  /**
   * IOMMU group of the device (`cat /sys/bus/pci/devices/<addr>/iommu_group`, the link's last
   * component). Emitted as the mapping's `iommu_group`; required like `subsystemId`, same reason.
   */
  readonly iommuGroup?: number;
  /**
   * Pass every function of the card (`0000:01:00`, no `.0`): the GPU together with its HDMI/DP audio
   * function (`.1`) and any USB-C controller. Use it when those functions share the GPU's IOMMU group
   * (the usual case for consumer and workstation cards): a group can only be given to one guest as a
   * whole, and passing `.0` alone leaves the audio function on the host. Data-centre cards without
   * extra functions (L40S, H100) do not need it.
   * @default false
   */
  readonly allFunctions?: boolean;
  /** CUDA compute capability, e.g. 8.9; decides whether FP8 runs natively. */
  readonly computeCapability?: number;
  /**
   * The cluster already has a PCI mapping of this name (made by hand): the first apply imports it
   * (a Terraform `import` block with the mapping name) instead of creating it, then manages it.
   * `pvestack import` sets it; `pvestack doctor` checks that the mapping exists.
   * @default false
   */
  readonly adopt?: boolean;
}

export interface NodeSpec {
  /** Proxmox node name as `pvesh get /nodes` shows it. */
  readonly name: string;
  /** Address (IPv4 or DNS name) Ansible and admins reach the node's SSH at. @default the node name (resolved by DNS or ssh_config) */
  readonly address?: string;
  readonly cpuThreads: number;
  readonly memoryGib: Gib;
  /** @default [] */
  readonly gpus?: readonly GpuSpec[];
  /** Host NVIDIA driver version, required when an LXC on this node uses a GPU (the container must match it exactly). */
  readonly nvidiaDriverVersion?: string;
  /** @default [{ id: 'local-lvm', type: 'lvmthin' }] */
  readonly datastores?: readonly DatastoreSpec[];
  /** ZFS ARC limit the host playbook sets; counted against the node's RAM by the capacity check. @default 10% of RAM, at most 16 GiB (the Proxmox installer's rule) when the node has a ZFS pool, else 0 */
  readonly zfsArcMaxGib?: Gib;
  /** Storage id that holds snippets (cloud-init files); its `content` must include `snippets`. @default 'local' */
  readonly snippetDatastore?: string;
  /** Storage id for downloaded cloud images; its `content` must include `import`. @default 'local' */
  readonly imageDatastore?: string;
  /** Storage id LXC templates are downloaded to; its `content` must include `vztmpl`. @default 'local' */
  readonly templateDatastore?: string;
}

/**
 * How the Terraform provider authenticates at apply time.
 * - `api-token`: `PROXMOX_VE_API_TOKEN` (`user@realm!token=secret`), least privilege (see the README);
 *   Proxmox refuses LXC feature flags other than `nesting` and device passthrough to it.
 * - `root-password`: `PROXMOX_VE_USERNAME=root@pam` and `PROXMOX_VE_PASSWORD`; needed for those.
 */
export type ProviderAuth = 'api-token' | 'root-password';

export interface ClusterSpec {
  readonly nodes: readonly NodeSpec[];
  /** First and last VM id pvestack may assign. @default { from: 100, to: 999 } */
  readonly vmIdRange?: { readonly from: number; readonly to: number };
  /** The Proxmox API URL, for humans and inventory only: the provider reads `PROXMOX_VE_ENDPOINT` at apply time. */
  readonly endpoint?: string;
  /**
   * Oldest Proxmox VE release on any node, `major.minor`. The output needs 8.4: the `import`
   * content type (cloud images) and the cluster firewall's `forward_policy` arrived with it.
   * @default '8.4'
   */
  readonly minProxmoxVersion?: string;
  /** How the provider authenticates at apply time. @default 'api-token' */
  readonly providerAuth?: ProviderAuth;
}

export interface NetworkSpec {
  /** Name guests refer to, e.g. `private`. */
  readonly name: string;
  /** Linux bridge on every node, e.g. `vmbr1`. */
  readonly bridge: string;
  readonly cidr: string;
  readonly gateway: string;
  /**
   * VLAN tag written on each guest NIC (`vlan_id`): the bridge is VLAN-aware or carries several VLANs.
   * Leave it out when the bridge already sits on the VLAN (see `bridgeVlan`).
   */
  readonly vlan?: number;
  /**
   * The VLAN the bridge itself is already on, when its port is a VLAN interface: the Hetzner
   * vSwitch layout, `vmbr4000` bridged to `enp0s31f6.4000`. Guests on such a bridge are untagged;
   * a `vlan` on top would tag every frame twice (check PVE-NET-006).
   */
  readonly bridgeVlan?: number;
  /** @default [gateway] */
  readonly dns?: readonly string[];
  /** DNS search domain written into cloud-init. */
  readonly domain?: string;
}

export interface AdminSpec {
  /** Networks admins connect from (VPN range, office). SSH and the Proxmox UI are reachable only from these and the bastion. */
  readonly cidrs: readonly string[];
  /** Public SSH keys installed for the admin user. Public keys are not secrets. */
  readonly sshKeys: readonly string[];
  /** Login created by cloud-init on every guest. @default 'ops' */
  readonly user?: string;
  /** Name of a guest that acts as jump host; it may reach SSH on every guest. */
  readonly bastion?: string;
}

export type GuestKind = 'vm' | 'lxc' | 'external';

/** What a guest is for; decides default tags, statefulness, inventory groups and firewall checks. */
export type GuestRole = 'web' | 'proxy' | 'db' | 'cache' | 'llm' | 'ml' | 'worker' | 'monitoring' | 'bastion' | 'app' | 'mail' | 'backup' | 'management';

export interface DiskSpec {
  /** Role of the disk: `root` is the boot disk; others are data disks. @default 'root' for the first disk, else `data<n>` */
  readonly name?: string;
  readonly sizeGib: Gib;
  /** Proxmox storage id on the guest's node (a `datastores` entry or a ZFS pool's `storageId`). */
  readonly datastore: string;
  /**
   * Where a data disk is mounted inside the guest, e.g. `/var/lib/postgresql`: not `/`, no `.` or
   * `..` part, a directory no other data disk or Storage Box mount uses; not set on the root disk.
   * Without it a container's data disk is mounted at `/mnt/<name>` and a VM's is left unmounted.
   */
  readonly mountPoint?: string;
}

export interface StorageBoxMountSpec {
  /** Name of a `storageBoxes` entry. */
  readonly box: string;
  /** Absolute path inside the guest. @default '/mnt/storagebox' */
  readonly mountPoint?: string;
  /** @default 'cifs' */
  readonly protocol?: 'cifs' | 'sshfs';
  /** Directory on the box, relative to the account's home. @default '' (the root) */
  readonly subdirectory?: string;
}

export interface LxcOptions {
  /** @default true — unprivileged containers map root to an unprivileged host uid, so a container escape is not host root. */
  readonly unprivileged?: boolean;
  /** Required when `unprivileged` is false: why this container must run privileged. */
  readonly privilegedReason?: string;
  /**
   * Container template volume id, `<storage>:vztmpl/<file>`; pvestack downloads it there
   * (`download_file`, `content_type = "vztmpl"`) before the container is created.
   * @default '<node's templateDatastore>:vztmpl/<file name of templateUrl>'
   */
  readonly template?: string;
  /**
   * Where the template is downloaded from, pinned to a versioned file. Required when `template`
   * names another file than the default.
   * @default 'http://download.proxmox.com/images/system/ubuntu-24.04-standard_24.04-2_amd64.tar.zst' (the Proxmox template server, as `pveam available` lists it)
   */
  readonly templateUrl?: string;
  /**
   * sha512 (128 hex digits, as the Proxmox template index `aplinfo` lists it) or sha256 (64) of the
   * template; the node verifies the download against it.
   * @default for the default template (no `templateUrl`), the sha512 the Proxmox template index lists for it; otherwise none: the download is not verified, and check PVE-HOST-004 warns
   */
  readonly templateChecksum?: string;
}

export interface VmOptions {
  /** Cloud image URL, pinned. @default Ubuntu 24.04 (noble) cloud image */
  readonly imageUrl?: string;
  /** Checksum of the cloud image (sha256), checked by Proxmox after download. */
  readonly imageChecksum?: string;
}

export interface Suppression {
  /** Rule id, e.g. `PVE-DATA-004`. */
  readonly rule: string;
  /** Why it is acceptable here; required so that a reviewer can judge it. */
  readonly reason: string;
}

export interface GuestSpec {
  /** Host name, unique in the environment: lowercase letters, digits and hyphens. */
  readonly name: string;
  readonly kind: GuestKind;
  readonly role: GuestRole;
  /** Proxmox node; required for `vm` and `lxc`. */
  readonly node?: string;
  /** Proxmox VM id. @default none: Proxmox assigns the next free id at create time and Terraform keeps it in state. Set it to make ids stable and reviewable (the checks verify it lies in `cluster.vmIdRange` and is unique). */
  readonly vmId?: number;
  readonly cores: number;
  readonly memoryGib: Gib;
  /** @default [] for external hosts; the first disk is the boot disk */
  readonly disks?: readonly DiskSpec[];
  /** Network name. @default the first network */
  readonly network?: string;
  /** Static IPv4 address without prefix, e.g. `10.20.0.11`. For external hosts: the address pvestack connects to. */
  readonly ipv4: string;
  /** SSH port for deploys and Ansible. @default 22 */
  readonly sshPort?: number;
  /** SSH user for deploys and Ansible. @default admin.user */
  readonly sshUser?: string;
  /** Host keys the deployer accepts (`ssh-ed25519 AAAA...`); without them a deploy needs `--trust-on-first-use`. */
  readonly hostKeys?: readonly string[];
  /** GPU mapping names (from the node's `gpus`) given to this guest. */
  readonly gpus?: readonly string[];
  /**
   * For `external` hosts only: the GPUs the machine has. Facts, not managed resources: they feed
   * the model-fit check, the compose GPU reservation and the inventory.
   */
  readonly hostGpus?: readonly GpuSpec[];
  /** Holds data that must survive: protection, prevent_destroy, backups. @default true for roles db and llm (model cache), else false */
  readonly stateful?: boolean;
  /** Extra Proxmox tags. */
  readonly tags?: readonly string[];
  /** Boot order on the node (lower starts first). @default by role: db 10, cache 20, llm 30, others 50 */
  readonly startupOrder?: number;
  readonly storageBoxMounts?: readonly StorageBoxMountSpec[];
  readonly lxc?: LxcOptions;
  readonly vm?: VmOptions;
  /** Application stacks deployed onto this guest. @default [] */
  readonly stacks?: readonly StackSpec[];
  /**
   * When a monitoring stack lists this guest in its `targets` and it runs stacks, it also runs
   * node-exporter and, with a GPU, dcgm-exporter (model/derived-exporters.ts). False keeps only the
   * exporters its stacks carry. @default true
   */
  readonly monitoringExporters?: boolean;
  /** Check findings accepted for this guest, each with a reason. */
  readonly suppressions?: readonly Suppression[];
  /**
   * The guest already exists on the cluster (made by hand) at `node`/`vmId`: the first apply imports
   * it (a Terraform `import` block, id `<node>/<vmId>`) instead of creating it, and settings the
   * provider can only set at creation (boot image, template, cloud-init user, bind mounts) are left
   * as they are. `pvestack import` writes it; `pvestack doctor` checks the guest is there.
   * @default false
   */
  readonly adopt?: boolean;
}

export interface StorageBoxSpec {
  /** Name guests refer to. */
  readonly name: string;
  /** Account host name, `u123456.your-storagebox.de` (always the DNS name: the IP can change). */
  readonly host: string;
  /** Account or sub-account user, `u123456` or `u123456-sub1`. */
  readonly user: string;
  /** CIFS share. @default 'backup' for a main account, the user name for a sub-account */
  readonly share?: string;
  readonly capacityGib?: Gib;
  /** Secret (by name) holding the CIFS password; shipped by the deployer, never rendered. */
  readonly passwordSecret?: string;
  /** Secret (by name) holding the SSH private key for SSHFS. */
  readonly sshKeySecret?: string;
  /**
   * The box's SSH host keys (`ssh-ed25519 AAAA...`, from `ssh-keyscan -p 23 <host>` checked against
   * Hetzner's published fingerprints). Required for SSHFS mounts: they are written to the mount's
   * known_hosts and checked strictly, for the mount and for creating its folder over SFTP.
   */
  readonly hostKeys?: readonly string[];
  /** Also register the box as Proxmox CIFS storage for backups under this storage id. */
  readonly proxmoxStorageId?: string;
}

export type ZfsLayout = 'stripe' | 'mirror' | 'raid10' | 'raidz1' | 'raidz2' | 'raidz3';

export interface ZfsPoolSpec {
  /** Pool name on the node, e.g. `tank-db`. */
  readonly name: string;
  readonly node: string;
  readonly layout: ZfsLayout;
  /** Disk device paths, preferably `/dev/disk/by-id/...`. */
  readonly disks: readonly string[];
  /** Size of one disk; all disks are assumed equal. */
  readonly diskSizeGib: Gib;
  /** @default 12 (4K sectors) — it cannot be changed after creation */
  readonly ashift?: number;
  /** @default 'lz4' */
  readonly compression?: 'on' | 'off' | 'lz4' | 'zstd' | 'gzip';
  /** Proxmox storage id it is registered under. @default the pool name */
  readonly storageId?: string;
  readonly media?: DatastoreMedia;
}

/** Where traffic comes from, in firewall intent. */
export type PeerRef = 'internet' | 'admin' | `guest:${string}` | `role:${string}` | `cidr:${string}` | `ipset:${string}` | string;

export interface ConnectionSpec {
  /** Sources: `internet`, `admin`, a guest name, `role:web`, `cidr:198.51.100.0/24`. */
  readonly from: PeerRef | readonly PeerRef[];
  /** Target guests: a guest name or `role:db`. */
  readonly to: string | readonly string[];
  /** `tcp/5432`, `udp/53`, `tcp/8000-8010`. */
  readonly ports: string | readonly string[];
  readonly description?: string;
}

export interface SecretSpec {
  /** Environment variable the deployer reads the value from. */
  readonly env: string;
  /** What the secret is and who rotates it. */
  readonly description: string;
}

export type BackendSpec =
  | { readonly type: 'local'; readonly path?: string }
  | { readonly type: 's3'; readonly bucket: string; readonly key: string; readonly region: string; readonly endpoint?: string }
  | { readonly type: 'pg'; readonly schemaName?: string }
  | { readonly type: 'http'; readonly address: string; readonly lockAddress?: string; readonly unlockAddress?: string };

export interface CheckSettings {
  /** Maximum vCPU : thread ratio on a node. @default 4 */
  readonly cpuOvercommit?: number;
  /** RAM kept for Proxmox itself on every node. @default 4 */
  readonly hostReserveGib?: Gib;
  /** Environment-wide suppressions (guest-specific ones belong on the guest). */
  readonly suppressions?: readonly (Suppression & { readonly path?: string })[];
}

export interface EnvironmentSpec {
  /** Environment name: `dev`, `staging`, `production`, ... */
  readonly name: string;
  readonly description?: string;
  readonly cluster: ClusterSpec;
  readonly networks: readonly NetworkSpec[];
  readonly admin: AdminSpec;
  readonly guests: readonly GuestSpec[];
  readonly zfsPools?: readonly ZfsPoolSpec[];
  readonly storageBoxes?: readonly StorageBoxSpec[];
  /** Firewall intent: who may reach whom on which port. Everything else is dropped. */
  readonly connections?: readonly ConnectionSpec[];
  /** Secrets by name; values come from the deployer's environment. */
  readonly secrets?: Readonly<Record<string, SecretSpec>>;
  /** Terraform state backend. @default { type: 'local' } */
  readonly backend?: BackendSpec;
  readonly checks?: CheckSettings;
}

// ---------------------------------------------------------------------------------------------
// Application stacks. One entry per stack on a guest; `kind` selects the renderer.
// ---------------------------------------------------------------------------------------------

/** Facts about a model that the fit check needs; the built-in table covers common models. */
export interface ModelFacts {
  /** Parameters in billions. */
  readonly paramsBillion: number;
  readonly layers: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Intermediate (MLP) size; group-quantized checkpoints need it divisible by TP × group size. */
  readonly intermediateSize?: number;
}

export interface VllmStackSpec {
  readonly kind: 'vllm';
  /** Hugging Face repo id or a local path inside the model cache. */
  readonly model: string;
  /** @default the model id */
  readonly servedModelName?: string;
  /** @default 'vllm/vllm-openai:v0.11.0' */
  readonly image?: string;
  /** @default 'auto' */
  readonly dtype?: 'auto' | 'bfloat16' | 'float16' | 'float32';
  readonly quantization?: 'awq' | 'gptq' | 'fp8';
  /** @default number of GPUs given to the guest */
  readonly tensorParallelSize?: number;
  /** Fraction of each GPU vLLM may use; explicit because vLLM's own default moved between releases. */
  readonly gpuMemoryUtilization: number;
  readonly maxModelLen: number;
  /** @default 'auto' */
  readonly kvCacheDtype?: 'auto' | 'fp8';
  /** @default 8000 */
  readonly port?: number;
  /** Secret name of the API key clients must send. */
  readonly apiKeySecret: string;
  /** Secret name of a Hugging Face token for gated models. */
  readonly hfTokenSecret?: string;
  /** Where the model cache lives on the guest. @default '/srv/models' */
  readonly modelCacheDir?: string;
  /** Facts for a model not in the built-in table. */
  readonly modelFacts?: ModelFacts;
}

/** Extensions the pgvector image ships: pgvector (`vector`) and PostgreSQL contrib modules. */
export type PgExtension = 'vector' | 'pg_trgm' | 'uuid-ossp' | 'pg_stat_statements' | 'btree_gin' | 'btree_gist' | 'citext' | 'hstore' | 'pgcrypto';

export type PgProfile = 'web' | 'oltp' | 'dw' | 'desktop' | 'mixed';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/**
 * When the base backup of a postgres stack runs. The pg-backup sidecar's timer and the
 * PostgresBaseBackupStale alert's threshold (the period plus two hours) both derive from it.
 */
export interface BaseBackupScheduleSpec {
  /** How often a base backup is taken (WAL is archived continuously either way). @default 'daily' */
  readonly every?: 'daily' | 'weekly';
  /** UTC time of day, `HH:MM`. @default '02:30' */
  readonly at?: string;
  /** Day of a weekly base backup; only with `every: weekly`. @default 'sun' (for weekly) */
  readonly day?: Weekday;
}

export interface PostgresStackSpec {
  readonly kind: 'postgres';
  /** @default 'pgvector/pgvector:0.8.0-pg16' */
  readonly image?: string;
  /** @default 'oltp' */
  readonly profile?: PgProfile;
  /** @default 200 */
  readonly maxConnections?: number;
  /** @default the media of the guest's data disk */
  readonly storage?: 'ssd' | 'hdd' | 'san' | 'nvme';
  readonly database: string;
  /** @default 'app' */
  readonly user?: string;
  readonly passwordSecret: string;
  /** @default ['vector', 'pg_trgm', 'uuid-ossp', 'pg_stat_statements'] */
  readonly extensions?: readonly PgExtension[];
  /** @default 5432 */
  readonly port?: number;
  /** Base backups and WAL archive target: a Storage Box mount point on this guest (see the README, "Backups and restore"). */
  readonly backup?: {
    readonly mountPoint: string;
    /** Days base backups and WAL are kept (the newest base backup always). @default 14 */
    readonly retentionDays?: number;
    /** When base backups run; the stale-backup alert allows its period plus two hours. @default daily at 02:30 UTC */
    readonly schedule?: BaseBackupScheduleSpec;
    /** SQL the restore drill (`pvestack backup verify`) runs on the restored database. @default row counts of every table */
    readonly verifyQuery?: string;
  };
}

export interface RedisStackSpec {
  readonly kind: 'redis';
  /** @default 'redis:7.4-alpine' */
  readonly image?: string;
  readonly passwordSecret: string;
  /** @default 'aof' */
  readonly persistence?: 'aof' | 'rdb' | 'none';
  readonly maxMemoryMib?: number;
  /** @default 6379 */
  readonly port?: number;
}

export interface NextjsStackSpec {
  readonly kind: 'nextjs';
  /** The application image, pinned by tag or digest. */
  readonly image: string;
  /** Replicas on this guest. @default 1 */
  readonly replicas?: number;
  /** @default 3000 */
  readonly port?: number;
  /** Plain (non-secret) environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Secret names exposed as environment variables of the same names. */
  readonly secrets?: readonly string[];
  /** Health endpoint. @default '/api/health' */
  readonly healthPath?: string;
}

export interface NginxProxyStackSpec {
  readonly kind: 'nginx-proxy';
  /** @default 'nginx:1.27-alpine' */
  readonly image?: string;
  readonly serverName: string;
  /** Guests (names) and port the proxy balances across. */
  readonly upstreams: readonly string[];
  /** @default 3000 */
  readonly upstreamPort?: number;
  /** @default 'certbot' */
  readonly tls?: 'certbot' | 'provided' | 'none';
  /** Requests per second per client IP. @default 20 */
  readonly rateLimitPerSecond?: number;
}

export interface WorkerStackSpec {
  readonly kind: 'worker';
  readonly image: string;
  readonly command?: readonly string[];
  /** @default 1 */
  readonly replicas?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: readonly string[];
}

export interface MonitoringStackSpec {
  readonly kind: 'monitoring';
  /** Scrape targets (guest names). Each one that runs stacks gets node-exporter, and with a GPU dcgm-exporter, unless it declares its own; leave a guest out to not monitor it. */
  readonly targets?: readonly string[];
  readonly grafanaAdminSecret: string;
  /** Where Alertmanager sends alerts: one receiver. @default none (alerts show on Alertmanager's page only) */
  readonly alerting?: {
    /** Secret (by name) holding a webhook URL (Slack-compatible relays, ntfy, a chat bridge) that receives every alert. */
    readonly webhookUrlSecret?: string;
  };
}

/** Catalogue entries: well-known images with sensible settings. */
export interface CatalogStackSpec {
  readonly kind: 'open-webui' | 'n8n' | 'portainer' | 'portainer-agent' | 'node-exporter' | 'cadvisor' | 'dcgm-exporter';
  readonly image?: string;
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: readonly string[];
}

/** A hand-written service list for what the catalogue does not cover. */
export interface ComposeStackSpec {
  readonly kind: 'compose';
  /** Stack name (directory on the host). */
  readonly name: string;
  readonly services: readonly ServiceSpec[];
}

export type StackSpec =
  | VllmStackSpec
  | PostgresStackSpec
  | RedisStackSpec
  | NextjsStackSpec
  | NginxProxyStackSpec
  | WorkerStackSpec
  | MonitoringStackSpec
  | CatalogStackSpec
  | ComposeStackSpec;

export type StackKind = StackSpec['kind'];

/** One container in the service model every stack renders through. */
export interface ServiceSpec {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  /** `127.0.0.1:8080:80`, `10.20.0.11:5432:5432`, or `8080:80`. */
  readonly ports?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Secret names; rendered as an env_file the deployer writes with mode 0600. */
  readonly secrets?: readonly string[];
  /** `named-volume:/path` or `/host/path:/path[:ro]`. */
  readonly volumes?: readonly string[];
  readonly gpus?: number | 'all' | readonly string[];
  readonly healthcheck?: {
    readonly test: readonly string[];
    readonly intervalSeconds?: number;
    readonly timeoutSeconds?: number;
    readonly retries?: number;
    readonly startPeriodSeconds?: number;
  };
  readonly dependsOn?: readonly string[];
  /** @default 'unless-stopped' */
  readonly restart?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** Stateful services restart only when their definition changes, and only after confirmation. */
  readonly stateful?: boolean;
  readonly memoryLimitMib?: number;
  readonly cpus?: number;
}
