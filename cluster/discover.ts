/**
 * `discover`: a node's facts as the spec writes them — CPU threads, memory, GPUs (address, ids,
 * IOMMU group, model, VRAM where known), datastores with their content types, and ZFS pools —
 * read by GET and rendered as a YAML fragment to paste under `cluster.nodes`.
 */
import { stringify } from 'yaml';
import type { DatastoreSpec, DatastoreType, StorageContentType } from '../model';
import { STORAGE_CONTENT_TYPES, UsageError } from '../model';
import { api, type NodeStatus, type StorageStatus, type VersionInfo, type ZfsPoolInfo } from './api';
import type { ApiReader } from './client';
import { discoverGpus, type DiscoveredGpu } from './gpu-facts';

const GiB = 1024 ** 3;
const DATASTORE_TYPES: readonly DatastoreType[] = ['lvmthin', 'lvm', 'zfspool', 'dir', 'cifs', 'nfs', 'rbd'];

export interface DiscoveredDatastore {
  /** The spec entry, or undefined for a storage type the spec cannot describe (pbs, iscsi, ...). */
  readonly spec?: DatastoreSpec & { readonly content: readonly StorageContentType[] };
  readonly status: StorageStatus;
}

export interface NodeDiscovery {
  readonly node: string;
  readonly version: VersionInfo;
  readonly status: NodeStatus;
  readonly gpus: readonly DiscoveredGpu[];
  readonly datastores: readonly DiscoveredDatastore[];
  readonly zfsPools: readonly ZfsPoolInfo[];
}

/** A storage as a spec datastore: known type, content in Proxmox's order, capacity in whole GiB. */
export function datastoreOf(s: StorageStatus): DiscoveredDatastore {
  if (!DATASTORE_TYPES.includes(s.type as DatastoreType)) return { status: s };
  const has = new Set(s.content.split(',').map((c) => c.trim()));
  const content = STORAGE_CONTENT_TYPES.filter((t) => has.has(t));
  return { status: s, spec: { id: s.storage, type: s.type as DatastoreType, content, ...(s.total ? { capacityGib: Math.floor(s.total / GiB) } : {}) } };
}

export async function discoverNode(client: ApiReader, node: string): Promise<NodeDiscovery> {
  const members = await api.nodes(client);
  const member = members.find((m) => m.node === node);
  if (!member)
    throw new UsageError(`node ${JSON.stringify(node)} is not a member of the cluster`, `Members: ${members.map((m) => m.node).join(', ') || 'none'}.`);
  if (member.status !== 'online') throw new UsageError(`node ${node} is ${member.status}`, 'Start it and run discover again.');
  const [version, status, pci, storage, zfsPools, mappings] = await Promise.all([
    api.nodeVersion(client, node),
    api.nodeStatus(client, node),
    api.pciDevices(client, node),
    api.storage(client, node),
    api.zfsPools(client, node),
    api.pciMappings(client),
  ]);
  return { node, version, status, gpus: discoverGpus(node, pci, mappings), datastores: storage.map(datastoreOf), zfsPools };
}

const scalar = (v: unknown) => stringify(v).trim();

function gpuLines(g: DiscoveredGpu): string[] {
  const s = g.spec;
  const lines = [`    - name: ${s.name}${g.mapping ? ` # the existing PCI mapping ${g.mapping.id}: adopted, not created` : ''}`];
  lines.push(`      pciAddress: ${scalar(s.pciAddress)}`, `      model: ${scalar(s.model)}`);
  lines.push(
    s.vramGib > 0
      ? `      vramGib: ${s.vramGib}`
      : `      # vramGib: required, not known for ${s.deviceId}: the card's memory in GiB (nvidia-smi --query-gpu=memory.total)`,
  );
  lines.push(`      deviceId: ${scalar(s.deviceId)}`);
  if (s.subsystemId) lines.push(`      subsystemId: ${scalar(s.subsystemId)}`);
  lines.push(
    s.iommuGroup !== undefined
      ? `      iommuGroup: ${s.iommuGroup}`
      : '      # iommuGroup: none — the node runs without an IOMMU; enable it before passing this card through',
  );
  if (s.allFunctions)
    lines.push(
      `      allFunctions: true # ${g.ownFunctions.map((d) => d.id).join(', ')} share${g.ownFunctions.length === 1 ? 's' : ''} IOMMU group ${s.iommuGroup}`,
    );
  if (s.adopt) lines.push('      adopt: true');
  if (g.groupNeighbours.length > 0)
    lines.push(
      `      # IOMMU group ${s.iommuGroup} also holds ${g.groupNeighbours.map((d) => `${d.id} (${d.device_name ?? d.class})`).join(', ')}: they go to the guest with the card`,
    );
  return lines;
}

/** The YAML fragment for `cluster.nodes`, with comments on what the numbers are. */
export function renderNodeFragment(d: NodeDiscovery): string {
  const cpu = d.status.cpuinfo;
  const memGib = d.status.memory.total / GiB;
  const lines = [
    `# Node ${d.node} as the Proxmox API reports it (Proxmox VE ${d.version.version}); paste under cluster.nodes.`,
    `- name: ${d.node}`,
    `  cpuThreads: ${cpu.cpus} # ${cpu.sockets} × ${cpu.model}, ${cpu.cores} cores`,
    `  memoryGib: ${Math.round(memGib)} # MemTotal ${Math.round(memGib * 10) / 10} GiB: the installed RAM less what firmware and kernel keep`,
  ];
  if (d.gpus.length > 0) lines.push('  gpus:', ...d.gpus.flatMap(gpuLines));
  const known = d.datastores.filter((x) => x.spec);
  if (known.length > 0) lines.push('  datastores:');
  for (const ds of known) {
    const s = ds.spec!;
    const state = ds.status.enabled === 0 ? ' # disabled' : ds.status.active === 0 ? ' # not active' : '';
    lines.push(`    - id: ${s.id}${state}`, `      type: ${s.type}`, `      content: [${s.content.join(', ')}]`);
    if (s.capacityGib !== undefined) lines.push(`      capacityGib: ${s.capacityGib} # ${Math.floor((ds.status.avail ?? 0) / GiB)} GiB free now`);
  }
  for (const ds of d.datastores.filter((x) => !x.spec))
    lines.push(`  # storage ${ds.status.storage} (type ${ds.status.type}) cannot be described as a datastore; guests cannot use it`);
  if (d.zfsPools.length > 0) {
    lines.push(
      `# ZFS pools on ${d.node}; they exist already, so keep them as zfspool datastores above, not under zfsPools (the apply would create them again):`,
    );
    for (const z of d.zfsPools)
      lines.push(`#   ${z.name}: ${Math.round(z.size / GiB)} GiB, ${Math.round(z.free / GiB)} GiB free, ${z.health}, fragmentation ${z.frag} %`);
  }
  return `${lines.join('\n')}\n`;
}

/** The same facts as data, for `--json`. */
export function discoveryJson(d: NodeDiscovery): Record<string, unknown> {
  return {
    node: d.node,
    proxmoxVersion: d.version.version,
    cpuThreads: d.status.cpuinfo.cpus,
    memoryGib: Math.round((d.status.memory.total / GiB) * 10) / 10,
    gpus: d.gpus.map((g) => ({ ...g.spec, groupNeighbours: g.groupNeighbours.map((n) => n.id) })),
    datastores: d.datastores.map((x) => x.spec ?? { id: x.status.storage, type: x.status.type, unsupported: true }),
    zfsPools: d.zfsPools.map((z) => ({ name: z.name, sizeGib: Math.round(z.size / GiB), freeGib: Math.round(z.free / GiB), health: z.health })),
  };
}
