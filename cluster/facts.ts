/**
 * What `doctor` knows about a live cluster: plain data read once through the API (the only
 * executor step), so every rule is a pure function of (environment, facts) and can be tested from
 * a table without a server.
 */
import type { Environment } from '../model';
import { cloudImageFileName, parseTemplateVolid, UBUNTU_2404_IMAGE_URL } from '../model';
import {
  api,
  type ClusterFirewallOptions,
  type ClusterResource,
  type EffectivePermissions,
  type NodeListEntry,
  type NodeStatus,
  type PciDevice,
  type PciMapping,
  type StorageStatus,
  type VersionInfo,
  type ZfsPoolInfo,
} from './api';
import type { ApiReader } from './client';
import { existsOnCluster } from './doctor/needs';
import { ClusterApiError } from './errors';

/** Whether a URL can be downloaded by the node: its HEAD answer, or why not. */
export type UrlCheck = { readonly ok: true; readonly size?: number } | { readonly ok: false; readonly reason: string };

export interface NodeFacts {
  readonly name: string;
  readonly status: NodeListEntry['status'];
  readonly version: VersionInfo;
  readonly nodeStatus: NodeStatus;
  readonly pci: readonly PciDevice[];
  readonly storage: readonly StorageStatus[];
  readonly zfs: readonly ZfsPoolInfo[];
  /** Volume ids per storage id, for the storages templates and cloud images go to. */
  readonly volumes: Readonly<Record<string, readonly string[]>>;
  /** URL → whether the node can download it (asked only for files not yet on the node). */
  readonly downloads: Readonly<Record<string, UrlCheck>>;
}

export interface ClusterFacts {
  /** Every cluster member, online or not. */
  readonly members: readonly NodeListEntry[];
  /** Facts of the spec's nodes that are members and online. */
  readonly nodes: Readonly<Record<string, NodeFacts>>;
  readonly mappings: readonly PciMapping[];
  /** VMs and containers the credentials may see. */
  readonly guests: readonly ClusterResource[];
  readonly permissions: EffectivePermissions;
  readonly firewall: ClusterFirewallOptions;
}

/** The cloud image URL of a VM guest (its own pin or the default). */
export function imageUrlOf(guest: Environment['guests'][number]): string {
  return guest.vm?.imageUrl ?? UBUNTU_2404_IMAGE_URL;
}

/** Storage id and file of the cloud image a VM guest's boot disk is imported from. */
export function imageVolumeOf(env: Environment, guest: Environment['guests'][number]): { storage: string; file: string; volid: string } {
  const node = env.cluster.nodes.find((n) => n.name === guest.node)!;
  const file = cloudImageFileName(imageUrlOf(guest));
  return { storage: node.imageDatastore, file, volid: `${node.imageDatastore}:import/${file}` };
}

async function urlCheck(client: ApiReader, node: string, url: string): Promise<UrlCheck> {
  try {
    const meta = await client.get<{ size?: number }>(`/nodes/${encodeURIComponent(node)}/query-url-metadata`, { url }, { retries: 0 });
    return { ok: true, ...(meta.size !== undefined ? { size: meta.size } : {}) };
  } catch (err) {
    // The node answers 500 "invalid server response: '404 Not Found'" for a URL it cannot fetch.
    if (err instanceof ClusterApiError && err.kind === 'ApiServer') return { ok: false, reason: err.problem };
    throw err;
  }
}

async function nodeFacts(client: ApiReader, env: Environment, entry: NodeListEntry, guests: readonly ClusterResource[]): Promise<NodeFacts> {
  const name = entry.node;
  const [version, nodeStatus, pci, storage, zfs] = await Promise.all([
    api.nodeVersion(client, name),
    api.nodeStatus(client, name),
    api.pciDevices(client, name),
    api.storage(client, name),
    api.zfsPools(client, name),
  ]);
  const wanted = env.guests.filter((g) => g.node === name && !existsOnCluster(env, g, { guests }));
  // Files the apply downloads: LXC templates and VM cloud images, by storage.
  const files: { storage: string; volid: string; url: string }[] = [];
  for (const g of wanted) {
    if (g.kind === 'lxc' && g.lxc) {
      const t = parseTemplateVolid(g.lxc.template);
      if (t) files.push({ storage: t.storage, volid: g.lxc.template, url: g.lxc.templateUrl });
    } else if (g.kind === 'vm') {
      const img = imageVolumeOf(env, g);
      files.push({ storage: img.storage, volid: img.volid, url: imageUrlOf(g) });
    }
  }
  const known = new Set(storage.map((s) => s.storage));
  const storages = [...new Set(files.map((f) => f.storage))].filter((s) => known.has(s));
  const volumes: Record<string, readonly string[]> = {};
  for (const s of storages) volumes[s] = (await api.storageContent(client, name, s)).map((v) => v.volid);
  const downloads: Record<string, UrlCheck> = {};
  for (const f of files) {
    if ((volumes[f.storage] ?? []).includes(f.volid) || downloads[f.url]) continue;
    downloads[f.url] = await urlCheck(client, name, f.url);
  }
  return { name, status: entry.status, version, nodeStatus, pci, storage, zfs, volumes, downloads };
}

/** Reads everything the doctor rules need, GET by GET. */
export async function gatherFacts(client: ApiReader, env: Environment): Promise<ClusterFacts> {
  const [members, mappings, guests, permissions, firewall] = await Promise.all([
    api.nodes(client),
    api.pciMappings(client),
    api.guests(client),
    api.permissions(client),
    api.clusterFirewall(client),
  ]);
  const vmGuests = guests.filter((g) => g.type === 'qemu' || g.type === 'lxc');
  const nodes: Record<string, NodeFacts> = {};
  for (const n of env.cluster.nodes) {
    const entry = members.find((m) => m.node === n.name);
    if (entry?.status === 'online') nodes[n.name] = await nodeFacts(client, env, entry, vmGuests);
  }
  return { members, nodes, mappings, guests: vmGuests, permissions, firewall };
}
