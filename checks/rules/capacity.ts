/**
 * Capacity per node: memory, vCPU and disk claims against what the node has. A guest on a node
 * that does not exist never gets here: the spec validator rejects it (exit 2).
 */
import { type ClusterNode, type Environment, type Guest, Size } from '../../model';
import { fmt } from '../vllm-fit';
import type { Issue, Rule } from '../types';

/** Proxmox guests on a node (external hosts use no node resources). */
function guestsOn(env: Environment, node: ClusterNode): Guest[] {
  return env.guests.filter((g) => g.kind !== 'external' && g.node === node.name);
}

function nodePath(env: Environment, node: ClusterNode): string {
  return `cluster.nodes[${env.cluster.nodes.indexOf(node)}]`;
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : fmt(v));
/** A size in GiB for a message, as the spec writes it. */
const g = (s: Size) => n(s.toGib());

export const nodeMemory: Rule = {
  id: 'PVE-CAP-001',
  family: 'capacity',
  severity: 'error',
  title: 'Guest RAM + host reserve + ZFS ARC fit in the node RAM',
  check: ({ env }) =>
    env.cluster.nodes.flatMap((node): Issue[] => {
      const guests = guestsOn(env, node);
      const ram = (x: Guest) => Size.gib(x.memoryGib);
      const guestRam = Size.sum(guests.map(ram));
      const reserve = Size.gib(env.checks.hostReserveGib);
      const arc = Size.gib(node.zfsArcMaxGib);
      const total = guestRam.plus(reserve).plus(arc);
      const nodeRam = Size.gib(node.memoryGib);
      if (total.isAtMost(nodeRam)) return [];
      const biggest = [...guests]
        .sort((a, b) => Size.compare(ram(b), ram(a)))
        .slice(0, 3)
        .map((x) => `${x.name} ${g(ram(x))}`);
      return [
        {
          path: nodePath(env, node),
          node: node.name,
          message: `node ${node.name} needs ${g(total)} GiB RAM > ${g(nodeRam)} GiB: guests ${g(guestRam)} GiB (${biggest.join(', ')}${guests.length > 3 ? ', ...' : ''}) + host reserve ${g(reserve)} GiB + ZFS ARC ${g(arc)} GiB`,
          hint: `Move or shrink guests by ${g(total.minus(nodeRam))} GiB, lower zfsArcMaxGib, or add RAM; Proxmox does not overcommit guest RAM safely (ballooning is off for GPU guests).`,
        },
      ];
    }),
};

/** GPU guests and databases get whole threads: they are latency-bound and must not wait for a CPU. */
function needsDedicatedCpu(g: Guest): boolean {
  return g.gpus.length > 0 || g.role === 'db';
}

export const nodeCpu: Rule = {
  id: 'PVE-CAP-002',
  family: 'capacity',
  severity: 'error',
  title: 'vCPU overcommit within the limit (1:1 for GPU and database guests)',
  check: ({ env }) =>
    env.cluster.nodes.flatMap((node): Issue[] => {
      const guests = guestsOn(env, node);
      const dedicated = guests.filter(needsDedicatedCpu);
      const shared = guests.filter((g) => !needsDedicatedCpu(g));
      const dedicatedCores = dedicated.reduce((s, g) => s + g.cores, 0);
      const sharedCores = shared.reduce((s, g) => s + g.cores, 0);
      const ratio = env.checks.cpuOvercommit;
      // Dedicated vCPUs take whole threads; the rest share what is left at the overcommit ratio.
      const needed = dedicatedCores + sharedCores / ratio;
      if (needed <= node.cpuThreads) return [];
      return [
        {
          path: nodePath(env, node),
          node: node.name,
          message: `node ${node.name} needs ${fmt(needed)} threads > ${node.cpuThreads}: ${dedicatedCores} dedicated vCPU 1:1 (GPU/db guests${dedicated.length ? `: ${dedicated.map((g) => `${g.name} ${g.cores}`).join(', ')}` : ''}) + ${sharedCores} shared vCPU at ${n(ratio)}:1 = ${fmt(sharedCores / ratio)}`,
          hint: 'Move a guest to another node, give guests fewer cores, or raise checks.cpuOvercommit for the shared guests if their load allows it.',
        },
      ];
    }),
};

export const guestCores: Rule = {
  id: 'PVE-CAP-003',
  family: 'capacity',
  severity: 'error',
  title: 'A guest has no more vCPUs than its node has threads',
  check: ({ env }) =>
    env.guests.flatMap((g): Issue[] => {
      const node = env.cluster.nodes.find((x) => x.name === g.node);
      if (g.kind === 'external' || !node || g.cores <= node.cpuThreads) return [];
      return [
        {
          path: `guests[${g.index}].cores`,
          guest: g.name,
          message: `${g.name} has ${g.cores} vCPU but node ${node.name} has ${node.cpuThreads} threads`,
          hint: `Give it at most ${node.cpuThreads} cores; Proxmox refuses to start a guest with more vCPUs than the host has.`,
        },
      ];
    }),
};

export const datastoreCapacity: Rule = {
  id: 'PVE-CAP-004',
  family: 'capacity',
  severity: 'error',
  title: 'Disk claims fit the usable capacity of each datastore or ZFS pool',
  check: ({ env }) =>
    env.cluster.nodes.flatMap((node) =>
      node.datastores.flatMap((store, j): Issue[] => {
        if (store.capacityGib === undefined) return [];
        const claims = guestsOn(env, node).flatMap((x) => x.disks.filter((d) => d.datastore === store.id).map((d) => ({ g: x, d, size: Size.gib(d.sizeGib) })));
        const total = Size.sum(claims.map((c) => c.size));
        const capacity = Size.gib(store.capacityGib);
        if (total.isAtMost(capacity)) return [];
        const pool = env.zfsPools.find((p) => p.node === node.name && p.storageId === store.id);
        const where = pool ? `zfsPools[${env.zfsPools.indexOf(pool)}]` : `${nodePath(env, node)}.datastores[${j}]`;
        const what = pool
          ? `${g(capacity)} GiB usable (${pool.layout} of ${pool.disks.length} × ${g(Size.gib(pool.diskSizeGib))} GiB)`
          : `${g(capacity)} GiB capacity`;
        return [
          {
            path: where,
            node: node.name,
            message: `datastore ${store.id} on ${node.name}: disks claim ${g(total)} GiB > ${what}; claims: ${claims.map((c) => `${c.g.name}.${c.d.name} ${g(c.size)}`).join(', ')}`,
            hint: `Shrink or move ${g(total.minus(capacity))} GiB of disks, or grow the datastore. Thin provisioning hides this until the pool fills and every guest on it stops.`,
          },
        ];
      }),
    ),
};

export const unknownCapacity: Rule = {
  id: 'PVE-CAP-005',
  family: 'capacity',
  severity: 'info',
  title: 'Datastores in use declare their capacity so disk claims can be checked',
  check: ({ env }) =>
    env.cluster.nodes.flatMap((node) =>
      node.datastores.flatMap((store, j): Issue[] => {
        if (store.capacityGib !== undefined) return [];
        const used = guestsOn(env, node).some((g) => g.disks.some((d) => d.datastore === store.id));
        if (!used) return [];
        return [
          {
            path: `${nodePath(env, node)}.datastores[${j}]`,
            node: node.name,
            message: `datastore ${store.id} on ${node.name} has no capacityGib, so its disk claims are not checked`,
            hint: 'Add capacityGib (as `pvesm status` reports it) to the datastore.',
          },
        ];
      }),
    ),
};

export const CAPACITY_RULES: readonly Rule[] = [nodeMemory, nodeCpu, guestCores, datastoreCapacity, unknownCapacity];
