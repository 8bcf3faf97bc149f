/**
 * The Proxmox VE API paths pvestack reads, each typed after the `returns` schema of the Perl
 * handler that serves it (the source file is named on every function). Only fields pvestack uses
 * are typed; the API returns more. Every function is a GET.
 */
import type { ApiReader } from './client';

/** `GET /version` and `GET /nodes/{node}/version` — pve-manager `PVE/API2/Nodes.pm` (`version`), `PVE/API2.pm`. */
export interface VersionInfo {
  /** pve-manager package version, e.g. `8.4.1`. */
  readonly version: string;
  /** Proxmox VE release, e.g. `8.4`. */
  readonly release: string;
  readonly repoid: string;
}

/** `GET /nodes` — pve-manager `PVE/API2/Nodes.pm` (`PVE::API2::Nodes`, `index`). */
export interface NodeListEntry {
  readonly node: string;
  readonly status: 'unknown' | 'online' | 'offline';
  readonly maxcpu?: number;
  readonly maxmem?: number;
}

/** `GET /nodes/{node}/status` — pve-manager `PVE/API2/Nodes.pm` (`status`; needs Sys.Audit on /nodes/{node}). */
export interface NodeStatus {
  readonly cpuinfo: { readonly cpus: number; readonly cores: number; readonly sockets: number; readonly model: string };
  /** Bytes; `total` is MemTotal (installed RAM minus what the kernel and firmware reserve). */
  readonly memory: { readonly total: number; readonly used: number; readonly free: number };
  /** `pve-manager/8.4.1/2a5fa54a8503f96d`. */
  readonly pveversion: string;
}

/** `GET /nodes/{node}/hardware/pci` — pve-manager `PVE/API2/Hardware/PCI.pm`, fields from pve-common `src/PVE/SysFSTools.pm` (`lspci`). */
export interface PciDevice {
  /** `0000:01:00.0`. */
  readonly id: string;
  /** sysfs hex with prefix, e.g. `0x030000`. */
  readonly class: string;
  /** `0x10de`. */
  readonly vendor: string;
  /** `0x26b9`. */
  readonly device: string;
  readonly subsystem_vendor?: string;
  readonly subsystem_device?: string;
  /** -1 when the node runs without an IOMMU. */
  readonly iommugroup: number;
  readonly vendor_name?: string;
  readonly device_name?: string;
  readonly subsystem_vendor_name?: string;
  readonly subsystem_device_name?: string;
  readonly mdev?: boolean | number;
}

/** `GET /cluster/mapping/pci` — pve-manager `PVE/API2/Cluster/Mapping/PCI.pm`; `map` entries are property strings of pve-guest-common `src/PVE/Mapping/PCI.pm` (`node=..,path=..,id=..,subsystem-id=..,iommugroup=..`). */
export interface PciMapping {
  readonly id: string;
  readonly description?: string;
  readonly map: readonly string[];
}

/** `GET /nodes/{node}/storage` — pve-storage `src/PVE/API2/Storage/Status.pm` (`index`). Sizes in bytes. */
export interface StorageStatus {
  readonly storage: string;
  readonly type: string;
  /** Comma-separated content types, e.g. `images,rootdir`. */
  readonly content: string;
  readonly enabled?: number;
  readonly active?: number;
  readonly shared?: number;
  readonly total?: number;
  readonly used?: number;
  readonly avail?: number;
}

/** `GET /nodes/{node}/storage/{storage}/content` — pve-storage `src/PVE/API2/Storage/Content.pm` (`index`). */
export interface StorageVolume {
  /** `local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst`. */
  readonly volid: string;
  readonly format: string;
  readonly size: number;
  readonly content: string;
  readonly vmid?: number;
}

/** `GET /nodes/{node}/disks/zfs` — pve-storage `src/PVE/API2/Disks/ZFS.pm` (`index`; Sys.Audit on /). Bytes. */
export interface ZfsPoolInfo {
  readonly name: string;
  readonly size: number;
  readonly alloc: number;
  readonly free: number;
  readonly frag: number;
  readonly dedup: number;
  readonly health: string;
}

/** `GET /cluster/resources?type=vm` — pve-manager `PVE/API2/Cluster.pm` (`resources`). Lists only guests the credentials may audit. */
export interface ClusterResource {
  /** `qemu/100`, `lxc/200`. */
  readonly id: string;
  readonly type: 'qemu' | 'lxc' | 'node' | 'storage' | 'sdn' | 'pool' | string;
  readonly vmid?: number;
  readonly name?: string;
  readonly node?: string;
  readonly status?: string;
  /** Semicolon-separated tags, e.g. `env-production;pvestack;role-db`. */
  readonly tags?: string;
  readonly template?: number;
  readonly maxcpu?: number;
  readonly maxmem?: number;
  readonly maxdisk?: number;
}

/** A guest's configuration as the API returns it: flat keys, property strings as values. */
export type GuestConfig = Readonly<Record<string, string | number | undefined>>;

/** `GET /access/permissions` — pve-access-control `src/PVE/API2/AccessControl.pm` (`permissions`): path → privilege → propagate (0/1). */
export type EffectivePermissions = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** `GET /cluster/firewall/options` — pve-firewall `src/PVE/API2/Firewall/Cluster.pm` (`get_options`). */
export interface ClusterFirewallOptions {
  readonly enable?: number;
  readonly policy_in?: string;
  readonly policy_out?: string;
}

/** `GET /nodes/{node}/query-url-metadata` — pve-manager `PVE/API2/Nodes.pm` (`query_url_metadata`): the node sends a HEAD request to the URL. */
export interface UrlMetadata {
  readonly filename?: string;
  readonly size?: number;
  readonly mimetype?: string;
}

const enc = encodeURIComponent;

export const api = {
  version: (c: ApiReader) => c.get<VersionInfo>('/version'),
  nodes: (c: ApiReader) => c.get<NodeListEntry[]>('/nodes'),
  nodeStatus: (c: ApiReader, node: string) => c.get<NodeStatus>(`/nodes/${enc(node)}/status`),
  nodeVersion: (c: ApiReader, node: string) => c.get<VersionInfo>(`/nodes/${enc(node)}/version`),
  /** Every PCI device, bridges and memory controllers included (`pci-class-blacklist` emptied), so IOMMU group neighbours are all seen. */
  pciDevices: (c: ApiReader, node: string) => c.get<PciDevice[]>(`/nodes/${enc(node)}/hardware/pci`, { 'pci-class-blacklist': '' }),
  pciMappings: (c: ApiReader) => c.get<PciMapping[]>('/cluster/mapping/pci'),
  storage: (c: ApiReader, node: string) => c.get<StorageStatus[]>(`/nodes/${enc(node)}/storage`),
  storageContent: (c: ApiReader, node: string, storage: string, content?: string) =>
    c.get<StorageVolume[]>(`/nodes/${enc(node)}/storage/${enc(storage)}/content`, { content }),
  zfsPools: (c: ApiReader, node: string) => c.get<ZfsPoolInfo[]>(`/nodes/${enc(node)}/disks/zfs`),
  guests: (c: ApiReader) => c.get<ClusterResource[]>('/cluster/resources', { type: 'vm' }),
  qemuConfig: (c: ApiReader, node: string, vmid: number) => c.get<GuestConfig>(`/nodes/${enc(node)}/qemu/${vmid}/config`),
  lxcConfig: (c: ApiReader, node: string, vmid: number) => c.get<GuestConfig>(`/nodes/${enc(node)}/lxc/${vmid}/config`),
  permissions: (c: ApiReader) => c.get<EffectivePermissions>('/access/permissions'),
  clusterFirewall: (c: ApiReader) => c.get<ClusterFirewallOptions>('/cluster/firewall/options'),
  urlMetadata: (c: ApiReader, node: string, url: string) => c.get<UrlMetadata>(`/nodes/${enc(node)}/query-url-metadata`, { url }),
};
