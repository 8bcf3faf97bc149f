/** Fills in every documented default of a valid spec, producing the `Environment` consumers read. */
import { withDerivedExporters } from '../derived-exporters';
import type { ClusterNode, Datastore, Environment, Guest, LxcSettings, Network, ZfsPool } from '../environment';
import { DEFAULT_LXC_TEMPLATE_SHA512, DEFAULT_LXC_TEMPLATE_URL, templateFileOfUrl } from '../lxc-template';
import { Cidr } from '../net';
import { Size } from '../size';
import type { EnvironmentSpec, GuestRole, GuestSpec } from '../spec';
import { defaultContent, INSTALLER_LOCAL_CONTENT } from '../storage';
import { zfsIsRedundant, zfsUsableCapacity } from '../zfs';

export const DEFAULT_ADMIN_USER = 'ops';
/** The oldest Proxmox VE the output works on: the `import` content type and `forward_policy` need 8.4. */
export const DEFAULT_MIN_PROXMOX_VERSION = '8.4';
/** Content types pvestack registers ZFS pools with (`constructs/zfs-pool.ts`). */
const ZFS_POOL_CONTENT = ['images', 'rootdir'] as const;
const STATEFUL_ROLES: readonly GuestRole[] = ['db', 'llm'];
const STARTUP_ORDER: Partial<Record<GuestRole, number>> = { db: 10, cache: 20, llm: 30, proxy: 60 };

export function resolveEnvironment(spec: EnvironmentSpec, source: string): Environment {
  const zfsPools = (spec.zfsPools ?? []).map(resolvePool);
  const adminUser = spec.admin.user ?? DEFAULT_ADMIN_USER;
  // Scraped guests get their host and GPU exporters (model/derived-exporters.ts) before any consumer reads the stacks.
  return withDerivedExporters({
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    source,
    cluster: {
      ...spec.cluster,
      vmIdRange: spec.cluster.vmIdRange ?? { from: 100, to: 999 },
      minProxmoxVersion: spec.cluster.minProxmoxVersion ?? DEFAULT_MIN_PROXMOX_VERSION,
      providerAuth: spec.cluster.providerAuth ?? 'api-token',
      nodes: spec.cluster.nodes.map((n) => resolveNode(n, zfsPools)),
    },
    networks: spec.networks.map(resolveNetwork),
    admin: { ...spec.admin, user: adminUser },
    guests: spec.guests.map((g, i) => resolveGuest(spec, g, i, adminUser)),
    zfsPools,
    storageBoxes: spec.storageBoxes ?? [],
    connections: (spec.connections ?? []).map((c, index) => ({
      index,
      from: list(c.from),
      to: list(c.to),
      ports: list(c.ports),
      ...(c.description !== undefined ? { description: c.description } : {}),
    })),
    secrets: spec.secrets ?? {},
    backend: spec.backend ?? { type: 'local' },
    checks: {
      cpuOvercommit: spec.checks?.cpuOvercommit ?? 4,
      hostReserveGib: spec.checks?.hostReserveGib ?? 4,
      suppressions: spec.checks?.suppressions ?? [],
    },
  });
}

function list<T>(v: T | readonly T[]): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function resolvePool(p: NonNullable<EnvironmentSpec['zfsPools']>[number]): ZfsPool {
  return { ...p, ashift: p.ashift ?? 12, compression: p.compression ?? 'lz4', storageId: p.storageId ?? p.name, media: p.media ?? 'ssd' };
}

function resolveNode(n: EnvironmentSpec['cluster']['nodes'][number], pools: readonly ZfsPool[]): ClusterNode {
  const own = pools.filter((p) => p.node === n.name);
  const declared: Datastore[] = (n.datastores ?? [{ id: 'local-lvm', type: 'lvmthin' as const }]).map((d) => ({
    ...d,
    media: d.media ?? 'ssd',
    redundant: d.redundant ?? false,
    content: d.content ?? defaultContent(d.id, d.type),
  }));
  const fromPools: Datastore[] = own
    .filter((p) => !declared.some((d) => d.id === p.storageId))
    .map((p) => ({
      id: p.storageId,
      type: 'zfspool' as const,
      media: p.media,
      capacityGib: zfsUsableCapacity(p.layout, p.disks.length, p.diskSizeGib),
      redundant: zfsIsRedundant(p.layout, p.disks.length),
      content: ZFS_POOL_CONTENT,
    }));
  const known = [...declared, ...fromPools];
  // Every Proxmox VE install has `local` (/var/lib/vz), whether or not the spec declares it.
  const installerLocal: Datastore[] = known.some((d) => d.id === 'local')
    ? []
    : [{ id: 'local', type: 'dir', media: 'ssd', redundant: false, content: INSTALLER_LOCAL_CONTENT }];
  // The Proxmox installer's rule for new ZFS installs: 10% of RAM, at most 16 GiB.
  const arcDefault = own.length > 0 ? Size.min(Size.gib(16), Size.gib(Math.round(n.memoryGib * 0.1 * 100) / 100)).toGib() : 0;
  return {
    ...n,
    gpus: (n.gpus ?? []).map((g) => ({ ...g, allFunctions: g.allFunctions ?? false })),
    datastores: [...known, ...installerLocal],
    zfsArcMaxGib: n.zfsArcMaxGib ?? arcDefault,
    snippetDatastore: n.snippetDatastore ?? 'local',
    imageDatastore: n.imageDatastore ?? 'local',
    templateDatastore: n.templateDatastore ?? 'local',
  };
}

function resolveNetwork(n: EnvironmentSpec['networks'][number]): Network {
  return { ...n, dns: n.dns ?? [n.gateway], prefix: Cidr.parse(n.cidr).prefix };
}

function resolveGuest(spec: EnvironmentSpec, g: GuestSpec, index: number, adminUser: string): Guest {
  const guest: Guest = {
    ...g,
    index,
    disks: (g.disks ?? []).map((d, j) => ({ ...d, name: d.name ?? (j === 0 ? 'root' : `data${j}`) })),
    network: g.network ?? spec.networks[0]!.name,
    sshPort: g.sshPort ?? 22,
    sshUser: g.sshUser ?? adminUser,
    hostKeys: g.hostKeys ?? [],
    gpus: g.gpus ?? [],
    stateful: g.stateful ?? STATEFUL_ROLES.includes(g.role),
    tags: g.tags ?? [],
    startupOrder: g.startupOrder ?? STARTUP_ORDER[g.role] ?? 50,
    storageBoxMounts: (g.storageBoxMounts ?? []).map((m) => ({
      box: m.box,
      mountPoint: m.mountPoint ?? '/mnt/storagebox',
      protocol: m.protocol ?? 'cifs',
      subdirectory: m.subdirectory ?? '',
    })),
    stacks: g.stacks ?? [],
    suppressions: g.suppressions ?? [],
    lxc: g.kind === 'lxc' ? resolveLxc(spec, g) : undefined,
  };
  if (guest.lxc === undefined) delete (guest as { lxc?: unknown }).lxc;
  return guest;
}

function resolveLxc(spec: EnvironmentSpec, g: GuestSpec): LxcSettings {
  const templateUrl = g.lxc?.templateUrl ?? DEFAULT_LXC_TEMPLATE_URL;
  const templateDatastore = spec.cluster.nodes.find((n) => n.name === g.node)?.templateDatastore ?? 'local';
  return {
    unprivileged: g.lxc?.unprivileged ?? true,
    ...(g.lxc?.privilegedReason ? { privilegedReason: g.lxc.privilegedReason } : {}),
    template: g.lxc?.template ?? `${templateDatastore}:vztmpl/${templateFileOfUrl(templateUrl)}`,
    templateUrl,
    ...templateChecksumOf(g),
  };
}

/** The spec's checksum; for the default template (no URL given) the one the Proxmox template index publishes. */
function templateChecksumOf(g: GuestSpec): { templateChecksum?: string } {
  if (g.lxc?.templateChecksum) return { templateChecksum: g.lxc.templateChecksum };
  return g.lxc?.templateUrl === undefined ? { templateChecksum: DEFAULT_LXC_TEMPLATE_SHA512 } : {};
}
