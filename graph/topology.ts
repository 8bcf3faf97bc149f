/**
 * The environment as a graph, independent of any drawing syntax: Proxmox nodes with their load,
 * the guests on them, ZFS pools, Storage Boxes, the peers traffic comes from, and every allowed
 * flow from the reachability matrix (one edge per flow). Mermaid and DOT render this.
 */
import { endpointLabel, gpusOf, reachability, Size, zfsUsableCapacity, type Environment, type Flow } from '../model';

export interface GraphNode {
  /** Identifier safe in Mermaid and DOT: letters, digits and underscores. */
  readonly id: string;
  readonly label: string;
  readonly kind: 'host' | 'guest' | 'pool' | 'storage-box' | 'peer';
  /** Id of the Proxmox node cluster the item is drawn inside. */
  readonly group?: string;
}

export interface GraphGroup {
  readonly id: string;
  readonly label: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** `flow`: an allowed firewall flow; `storage`: a guest's disk on a pool or a mount of a box. */
  readonly kind: 'flow' | 'storage';
  readonly flow?: Flow;
}

export interface Topology {
  readonly title: string;
  readonly groups: readonly GraphGroup[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** A stable identifier for any reference (`node:pve1` → `node_pve1`, `cidr:10.0.0.0/8` → `cidr_10_0_0_0_8`). */
export function nodeId(ref: string): string {
  const id = ref.replace(/[^A-Za-z0-9]/g, '_').replace(/^(\d)/, '_$1');
  return RESERVED.has(id.toLowerCase()) ? `${id}_` : id;
}

/** Words Mermaid or DOT read as keywords when used as a node id. */
const RESERVED = new Set([
  'end',
  'graph',
  'subgraph',
  'flowchart',
  'style',
  'class',
  'classdef',
  'click',
  'default',
  'linkstyle',
  'node',
  'edge',
  'digraph',
  'strict',
]);

const gib = (n: number) => `${Math.round(n * 10) / 10}`;

/** Builds the graph of an environment. */
export function topology(env: Environment): Topology {
  const groups: GraphGroup[] = [];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const n of env.cluster.nodes) {
    const guests = env.guests.filter((g) => g.node === n.name);
    const cores = guests.reduce((s, g) => s + g.cores, 0);
    const ram = Size.sum(guests.map((g) => Size.gib(g.memoryGib))).toGib();
    const gpuUsed = guests.reduce((s, g) => s + gpusOf(env, g).length, 0);
    const gpu = n.gpus.length ? ` · GPU ${gpuUsed}/${n.gpus.length}` : '';
    groups.push({
      id: nodeId(`group:${n.name}`),
      label: `${n.name} · RAM ${gib(ram)}/${gib(n.memoryGib)} GiB · CPU ${cores} vCPU/${n.cpuThreads} threads${gpu}`,
    });
    nodes.push({ id: nodeId(`node:${n.name}`), label: `${n.name} (Proxmox host)`, kind: 'host', group: nodeId(`group:${n.name}`) });
  }
  for (const g of env.guests) {
    const gpus = gpusOf(env, g).map((x) => x.model);
    const group = g.node ? nodeId(`group:${g.node}`) : undefined;
    nodes.push({
      id: nodeId(g.name),
      label: `${g.name} · ${g.kind} ${g.role}${g.stateful ? ' · stateful' : ''}\n${g.ipv4} · ${g.cores} vCPU · ${gib(g.memoryGib)} GiB${gpus.length ? ` · ${gpus.join(', ')}` : ''}`,
      kind: 'guest',
      ...(group ? { group } : {}),
    });
  }
  for (const p of env.zfsPools) {
    const usable = zfsUsableCapacity(p.layout, p.disks.length, p.diskSizeGib);
    nodes.push({
      id: nodeId(`pool:${p.name}`),
      label: `ZFS ${p.name} · ${p.layout} · ${p.disks.length}×${gib(p.diskSizeGib)} GiB · ${gib(usable)} GiB usable`,
      kind: 'pool',
      group: nodeId(`group:${p.node}`),
    });
    for (const g of env.guests) {
      if (g.node === p.node && g.disks.some((d) => d.datastore === p.storageId))
        edges.push({ from: nodeId(g.name), to: nodeId(`pool:${p.name}`), label: 'disk', kind: 'storage' });
    }
  }
  for (const b of env.storageBoxes) {
    nodes.push({
      id: nodeId(`box:${b.name}`),
      label: `Storage Box ${b.name} · ${b.host}${b.capacityGib ? ` · ${gib(b.capacityGib)} GiB` : ''}`,
      kind: 'storage-box',
    });
    for (const g of env.guests) {
      for (const m of g.storageBoxMounts.filter((x) => x.box === b.name))
        edges.push({ from: nodeId(g.name), to: nodeId(`box:${b.name}`), label: m.protocol === 'sshfs' ? 'sshfs :23' : 'cifs :445', kind: 'storage' });
    }
  }
  const flows = reachability(env);
  const known = new Set(nodes.map((n) => n.id));
  for (const f of flows) {
    for (const end of [f.from, f.to]) {
      const id = nodeId(endpointLabel(end));
      if (known.has(id)) continue;
      known.add(id);
      nodes.push({ id, label: end.kind === 'admin' ? `admin (${env.admin.cidrs.join(', ')})` : endpointLabel(end), kind: 'peer' });
    }
    edges.push({ from: nodeId(endpointLabel(f.from)), to: nodeId(endpointLabel(f.to)), label: f.port.toString(), kind: 'flow', flow: f });
  }
  return { title: env.name, groups, nodes, edges };
}
