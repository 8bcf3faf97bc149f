/**
 * Nodes: each spec node is a cluster member, online, on a new enough Proxmox VE, and has the CPU
 * threads and memory the spec says (the capacity checks are only as true as these numbers).
 */
import type { Issue } from '../../../checks';
import { type ClusterNode, Size } from '../../../model';
import type { NodeFacts } from '../../facts';
import { gib, type DoctorContext, type DoctorRule } from '../types';

/** `8.4.1` → [8, 4, 1]; missing parts are 0. */
export function versionParts(version: string): number[] {
  return version
    .split(/[.-]/)
    .map((p) => Number.parseInt(p, 10))
    .map((n) => (Number.isFinite(n) ? n : 0));
}

/** a < b for dotted versions. */
export function versionBelow(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** Spec nodes that are online members, with their facts and spec index. */
export function liveNodes({ env, facts }: DoctorContext): { node: ClusterNode; index: number; live: NodeFacts }[] {
  return env.cluster.nodes.flatMap((node, index) => (facts.nodes[node.name] ? [{ node, index, live: facts.nodes[node.name]! }] : []));
}

/**
 * How far the spec's memory may be from MemTotal: the kernel and firmware keep 1-3 % of the
 * installed RAM, so a spec written with the installed size (128) still matches 125.8 GiB.
 */
export const MEMORY_TOLERANCE = 0.04;

export const nodeIsMember: DoctorRule = {
  id: 'PVE-LIVE-001',
  family: 'live',
  severity: 'error',
  title: 'Every spec node is a cluster member and online',
  check: ({ env, facts }) =>
    env.cluster.nodes.flatMap((node, i): Issue[] => {
      const member = facts.members.find((m) => m.node === node.name);
      const path = `cluster.nodes[${i}].name`;
      if (!member)
        return [
          {
            path,
            node: node.name,
            message: `node ${node.name} is not a member of the cluster (members: ${facts.members.map((m) => m.node).join(', ') || 'none'})`,
            hint: 'Fix the name to what `pvesh get /nodes` shows, or join the node to the cluster (`pvecm add`).',
          },
        ];
      if (member.status !== 'online')
        return [
          {
            path,
            node: node.name,
            message: `node ${node.name} is ${member.status}; nothing else about it could be checked`,
            hint: 'Start the node (or fix corosync) and run doctor again; an apply would fail on every resource of this node.',
          },
        ];
      return [];
    }),
};

export const nodeVersion: DoctorRule = {
  id: 'PVE-LIVE-002',
  family: 'live',
  severity: 'error',
  title: 'Every node runs at least cluster.minProxmoxVersion',
  check: (ctx) =>
    liveNodes(ctx)
      .filter(({ live }) => versionBelow(live.version.version, ctx.env.cluster.minProxmoxVersion))
      .map(({ node, index, live }) => ({
        path: 'cluster.minProxmoxVersion',
        node: node.name,
        message: `node ${node.name} runs Proxmox VE ${live.version.version} (${live.nodeStatus.pveversion}), older than the ${ctx.env.cluster.minProxmoxVersion} the environment needs`,
        hint: `Upgrade the node (\`apt update && apt full-upgrade\` on a ${ctx.env.cluster.minProxmoxVersion.split('.')[0]}.x repository); the import content type and the firewall forward policy need 8.4. Node: cluster.nodes[${index}].`,
      })),
};

export const nodeThreads: DoctorRule = {
  id: 'PVE-LIVE-003',
  family: 'live',
  severity: 'error',
  title: "A node's cpuThreads equals its logical CPUs",
  check: (ctx) =>
    liveNodes(ctx)
      .filter(({ node, live }) => live.nodeStatus.cpuinfo.cpus !== node.cpuThreads)
      .map(({ node, index, live }) => ({
        path: `cluster.nodes[${index}].cpuThreads`,
        node: node.name,
        message: `spec says ${node.cpuThreads} threads, node ${node.name} has ${live.nodeStatus.cpuinfo.cpus} (${live.nodeStatus.cpuinfo.sockets} × ${live.nodeStatus.cpuinfo.model}, ${live.nodeStatus.cpuinfo.cores} cores)`,
        hint: `Set cpuThreads: ${live.nodeStatus.cpuinfo.cpus}, then run \`pvestack check\`: the vCPU budget is computed from it.`,
      })),
};

export const nodeMemory: DoctorRule = {
  id: 'PVE-LIVE-004',
  family: 'live',
  severity: 'error',
  title: `A node's memoryGib matches its memory (within ${MEMORY_TOLERANCE * 100} %)`,
  check: (ctx) =>
    liveNodes(ctx).flatMap(({ node, index, live }): Issue[] => {
      // Compared in exact bytes; the rounded GiB figure is only for the message.
      const total = Size.bytes(live.nodeStatus.memory.total);
      const spec = Size.gib(node.memoryGib);
      const off = spec.isAtLeast(total) ? spec.minus(total) : total.minus(spec);
      if (off.isAtMost(total.times(MEMORY_TOLERANCE))) return [];
      const real = gib(total.toBytes());
      return [
        {
          path: `cluster.nodes[${index}].memoryGib`,
          node: node.name,
          message: `spec says ${node.memoryGib} GiB, node ${node.name} has ${real} GiB (MemTotal)`,
          hint: `Set memoryGib: ${Math.round(real)} (or the installed size if MemTotal is within ${MEMORY_TOLERANCE * 100} % of it), then run \`pvestack check\`: the RAM budget is computed from it.`,
        },
      ];
    }),
};

export const NODE_RULES: readonly DoctorRule[] = [nodeIsMember, nodeVersion, nodeThreads, nodeMemory];
