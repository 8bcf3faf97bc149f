/**
 * The validated environment: the spec with every default filled in and every reference checked.
 * Constructs, renderers, checks and executors read only this type, so none of them re-validates
 * or re-derives a default.
 */
import type {
  AdminSpec,
  BackendSpec,
  ClusterSpec,
  DatastoreSpec,
  DiskSpec,
  GpuSpec,
  GuestSpec,
  NetworkSpec,
  NodeSpec,
  ProviderAuth,
  SecretSpec,
  StackSpec,
  StorageContentType,
  StorageBoxMountSpec,
  StorageBoxSpec,
  Suppression,
  ZfsPoolSpec,
} from './spec';

export interface Datastore extends DatastoreSpec {
  readonly media: NonNullable<DatastoreSpec['media']>;
  readonly redundant: boolean;
  /** Declared content types, or the Proxmox default for the storage (see `DatastoreSpec.content`). */
  readonly content: readonly StorageContentType[];
}

/** A node's GPU with its defaults filled in. */
export interface Gpu extends GpuSpec {
  readonly allFunctions: boolean;
}

export interface ClusterNode extends NodeSpec {
  readonly gpus: readonly Gpu[];
  /**
   * The declared datastores, then the storages of the node's ZFS pools, then the installer's
   * `local` (dir, `iso, vztmpl, backup`) when the spec does not declare it: every Proxmox VE
   * install has it, and it is the default snippet, image and template datastore.
   */
  readonly datastores: readonly Datastore[];
  readonly zfsArcMaxGib: number;
  readonly snippetDatastore: string;
  readonly imageDatastore: string;
  readonly templateDatastore: string;
}

export interface Cluster extends ClusterSpec {
  readonly nodes: readonly ClusterNode[];
  readonly vmIdRange: { readonly from: number; readonly to: number };
  readonly minProxmoxVersion: string;
  readonly providerAuth: ProviderAuth;
}

export interface Network extends NetworkSpec {
  readonly dns: readonly string[];
  /** Prefix length of `cidr`, for `ip_config` addresses. */
  readonly prefix: number;
}

export interface Disk extends DiskSpec {
  readonly name: string;
}

export interface StorageBoxMount extends Required<Omit<StorageBoxMountSpec, 'subdirectory'>> {
  readonly subdirectory: string;
}

export interface Guest extends GuestSpec {
  /** Index in the spec's `guests` list, for error paths (`guests[3]`). */
  readonly index: number;
  readonly disks: readonly Disk[];
  readonly network: string;
  readonly sshPort: number;
  readonly sshUser: string;
  readonly hostKeys: readonly string[];
  readonly gpus: readonly string[];
  readonly stateful: boolean;
  readonly tags: readonly string[];
  readonly startupOrder: number;
  readonly storageBoxMounts: readonly StorageBoxMount[];
  readonly stacks: readonly StackSpec[];
  readonly suppressions: readonly Suppression[];
  /** Assigned for vm and lxc guests; undefined for external hosts. */
  readonly vmId?: number;
  /** Resolved LXC options (unprivileged defaults to true). */
  readonly lxc?: LxcSettings;
}

/** An LXC guest's resolved options. */
export interface LxcSettings {
  readonly unprivileged: boolean;
  readonly privilegedReason?: string;
  /** Template volume id, `<storage>:vztmpl/<file>`: where the download puts it. */
  readonly template: string;
  /** Pinned download URL of the template. */
  readonly templateUrl: string;
  /** sha512 or sha256 of the template, when known. */
  readonly templateChecksum?: string;
}

export interface ZfsPool extends ZfsPoolSpec {
  readonly ashift: number;
  readonly compression: NonNullable<ZfsPoolSpec['compression']>;
  readonly storageId: string;
  readonly media: NonNullable<ZfsPoolSpec['media']>;
}

/** A normalized firewall intent entry: lists everywhere. */
export interface Connection {
  readonly index: number;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly ports: readonly string[];
  readonly description?: string;
}

export interface Environment {
  readonly name: string;
  readonly description?: string;
  /** Where the spec came from (module or file), for messages. */
  readonly source: string;
  readonly cluster: Cluster;
  readonly networks: readonly Network[];
  readonly admin: Required<Omit<AdminSpec, 'bastion'>> & { readonly bastion?: string };
  readonly guests: readonly Guest[];
  readonly zfsPools: readonly ZfsPool[];
  readonly storageBoxes: readonly StorageBoxSpec[];
  readonly connections: readonly Connection[];
  readonly secrets: Readonly<Record<string, SecretSpec>>;
  readonly backend: BackendSpec;
  readonly checks: {
    readonly cpuOvercommit: number;
    readonly hostReserveGib: number;
    readonly suppressions: readonly (Suppression & { readonly path?: string })[];
  };
}

/** Lookups every consumer needs; kept here so no one re-implements them. */
export function nodeOf(env: Environment, guest: Guest): ClusterNode | undefined {
  return env.cluster.nodes.find((n) => n.name === guest.node);
}

export function networkOf(env: Environment, guest: Guest): Network {
  const net = env.networks.find((n) => n.name === guest.network);
  if (!net) throw new Error(`validated environment has no network ${guest.network}`);
  return net;
}

export function guestByName(env: Environment, name: string): Guest | undefined {
  return env.guests.find((g) => g.name === name);
}

/** The GPUs (with their node facts) given to a guest; for an external host, the ones it declares. */
export function gpusOf(env: Environment, guest: Guest): GpuSpec[] {
  if (guest.kind === 'external') return [...(guest.hostGpus ?? [])];
  const node = nodeOf(env, guest);
  return guest.gpus.map((name) => node?.gpus.find((g) => g.name === name)).filter((g): g is Gpu => g !== undefined);
}

/** Datastore facts for a disk, whether it names a plain datastore or a ZFS pool's storage id. */
export function datastoreOf(env: Environment, guest: Guest, datastoreId: string): Datastore | undefined {
  const node = nodeOf(env, guest);
  return node?.datastores.find((d) => d.id === datastoreId);
}
