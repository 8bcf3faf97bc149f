/**
 * What an environment needs from each node's storage: which datastores its guests and downloads
 * use, which content types each must hold, and how much space the guests still to be created
 * claim. Pure; shared by the storage rules and the privilege rule.
 */
import type { ClusterNode, Environment, Guest, StorageContentType } from '../../model';
import { parseTemplateVolid, Size } from '../../model';
import type { ClusterFacts } from '../facts';

export interface DatastoreNeed {
  readonly node: ClusterNode;
  readonly nodeIndex: number;
  readonly datastore: string;
  /** Content type → why it is needed (guest names, "cloud-init snippets", ...). */
  readonly content: ReadonlyMap<StorageContentType, readonly string[]>;
  /** Disks the apply creates on it, together. */
  readonly newDisks: Size;
  /** Created by this environment's apply (a ZFS pool's storage), so it may be missing now. */
  readonly createdByApply: boolean;
  /** Spec path to point findings at. */
  readonly path: string;
}

/**
 * Whether a guest already exists on the cluster: at its vmId there is a guest this environment
 * created (tags `pvestack`, `env-<env>`) or one the spec adopts. Such a guest needs no image,
 * template or new disk space.
 */
export function existsOnCluster(env: Environment, guest: Guest, facts: Pick<ClusterFacts, 'guests'>): boolean {
  if (guest.vmId === undefined) return false;
  const there = facts.guests.find((g) => g.vmid === guest.vmId);
  if (!there) return false;
  const tags = (there.tags ?? '').split(/[;,\s]+/);
  return guest.adopt === true || (tags.includes('pvestack') && tags.includes(`env-${env.name}`));
}

/** Whether the apply creates the pool itself (`proxmox_node_disk_zfs` takes one disk for a stripe). */
export function applyCreatesPool(pool: Environment['zfsPools'][number]): boolean {
  return pool.layout !== 'stripe' || pool.disks.length === 1;
}

export function datastoreNeeds(env: Environment, facts: ClusterFacts): DatastoreNeed[] {
  const needs = new Map<string, { node: ClusterNode; nodeIndex: number; datastore: string; content: Map<StorageContentType, string[]>; newDisks: Size }>();
  const need = (nodeIndex: number, datastore: string, type: StorageContentType | undefined, why: string, size = Size.ZERO) => {
    const node = env.cluster.nodes[nodeIndex]!;
    const key = `${node.name}/${datastore}`;
    const entry = needs.get(key) ?? { node, nodeIndex, datastore, content: new Map(), newDisks: Size.ZERO };
    if (type) entry.content.set(type, [...(entry.content.get(type) ?? []), why]);
    entry.newDisks = entry.newDisks.plus(size);
    needs.set(key, entry);
  };
  env.cluster.nodes.forEach((node, i) => {
    const guests = env.guests.filter((g) => g.node === node.name && g.kind !== 'external');
    const fresh = guests.filter((g) => !existsOnCluster(env, g, facts));
    for (const g of guests) {
      const isNew = fresh.includes(g);
      g.disks.forEach((d) => need(i, d.datastore, g.kind === 'vm' ? 'images' : 'rootdir', `disks of ${g.name}`, isNew ? Size.gib(d.sizeGib) : Size.ZERO));
    }
    const newVms = fresh.filter((g) => g.kind === 'vm');
    if (newVms.length > 0) {
      need(i, node.snippetDatastore, 'snippets', `cloud-init snippets of ${newVms.map((g) => g.name).join(', ')}`);
      need(i, node.imageDatastore, 'import', `the cloud image of ${newVms.map((g) => g.name).join(', ')}`);
    }
    for (const g of fresh.filter((x) => x.kind === 'lxc' && x.lxc)) {
      const t = parseTemplateVolid(g.lxc!.template);
      if (t) need(i, t.storage, 'vztmpl', `the template of ${g.name}`);
    }
  });
  return [...needs.values()].map((n) => {
    const declared = n.node.datastores.findIndex((d) => d.id === n.datastore);
    const createdByApply = env.zfsPools.some((p) => p.node === n.node.name && p.storageId === n.datastore);
    return { ...n, createdByApply, path: declared >= 0 ? `cluster.nodes[${n.nodeIndex}].datastores[${declared}]` : `cluster.nodes[${n.nodeIndex}]` };
  });
}
