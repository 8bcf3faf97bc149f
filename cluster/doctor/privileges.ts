/**
 * The privileges an environment's resources need at apply time, by ACL path, and how to read a
 * token's effective permissions from `GET /access/permissions` (pve-access-control
 * `src/PVE/API2/AccessControl.pm`: path → privilege → propagate flag). Pure.
 */
import type { Environment } from '../../model';
import type { EffectivePermissions } from '../api';
import type { ClusterFacts } from '../facts';
import { datastoreNeeds } from './needs';

export interface PrivilegeNeed {
  readonly aclPath: string;
  readonly privileges: readonly string[];
  /** What needs them, for the message. */
  readonly why: string;
}

/**
 * Creating and configuring a guest: qemu-server `src/PVE/API2/Qemu.pm` (`create_vm`, `update_vm`)
 * and pve-container `src/PVE/API2/LXC.pm` check VM.Allocate on /vms/{vmid} and a VM.Config.*
 * privilege per option group; VM.PowerMgmt starts it, VM.Audit reads it back.
 */
export const GUEST_PRIVILEGES = [
  'VM.Allocate',
  'VM.Audit',
  'VM.Config.CDROM',
  'VM.Config.CPU',
  'VM.Config.Cloudinit',
  'VM.Config.Disk',
  'VM.Config.HWType',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.Options',
  'VM.PowerMgmt',
] as const;

/** Effective privileges at a path: its own entry, else what propagates from the nearest ancestor with one. */
export function privilegesAt(perms: EffectivePermissions, aclPath: string): Set<string> {
  if (perms[aclPath]) return new Set(Object.keys(perms[aclPath]!));
  const parts = aclPath.split('/').filter(Boolean);
  for (let n = parts.length - 1; n >= 0; n--) {
    const parent = `/${parts.slice(0, n).join('/')}`;
    const entry = perms[parent];
    if (entry)
      return new Set(
        Object.entries(entry)
          .filter(([, propagate]) => propagate === 1)
          .map(([p]) => p),
      );
  }
  return new Set();
}

export function privilegeNeeds(env: Environment, facts: ClusterFacts): PrivilegeNeed[] {
  const out: PrivilegeNeed[] = [];
  const pve = env.guests.filter((g) => g.kind !== 'external');
  for (const g of pve)
    out.push({
      aclPath: g.vmId !== undefined ? `/vms/${g.vmId}` : '/vms',
      privileges: [...GUEST_PRIVILEGES],
      why: `${g.kind === 'vm' ? 'VM' : 'container'} ${g.name}`,
    });
  for (const need of datastoreNeeds(env, facts)) {
    const files = ['snippets', 'import', 'vztmpl'].filter((t) => need.content.has(t as never));
    // pve-storage `src/PVE/API2/Storage/Status.pm` (download_url, upload): Datastore.AllocateTemplate; disks: Datastore.AllocateSpace.
    out.push({
      aclPath: `/storage/${need.datastore}`,
      privileges: ['Datastore.AllocateSpace', 'Datastore.Audit', ...(files.length ? ['Datastore.AllocateTemplate'] : [])],
      why: `storage ${need.datastore} on ${need.node.name}`,
    });
  }
  const networks = new Set(pve.map((g) => env.networks.find((n) => n.name === g.network)?.bridge).filter((b): b is string => !!b));
  // qemu-server `create_vm`: "SDN.Use on any used bridge/vlan"; plain Linux bridges live in the `localnetwork` zone.
  for (const bridge of networks) out.push({ aclPath: `/sdn/zones/localnetwork/${bridge}`, privileges: ['SDN.Use'], why: `NICs on bridge ${bridge}` });
  for (const node of env.cluster.nodes)
    for (const gpu of node.gpus) {
      // pve-manager `PVE/API2/Cluster/Mapping/PCI.pm`: Mapping.Modify on /mapping/pci creates, on /mapping/pci/{id} updates; qemu-server checks Mapping.Use when a VM uses it.
      out.push({ aclPath: `/mapping/pci/${gpu.name}`, privileges: ['Mapping.Use', 'Mapping.Modify'], why: `GPU mapping ${gpu.name}` });
      if (!gpu.adopt) out.push({ aclPath: '/mapping/pci', privileges: ['Mapping.Modify'], why: `creating GPU mapping ${gpu.name}` });
    }
  // pve-firewall `src/PVE/API2/Firewall/Cluster.pm`: cluster options, security groups and IP sets need Sys.Modify on /.
  out.push({ aclPath: '/', privileges: ['Sys.Audit', 'Sys.Modify'], why: 'the datacenter firewall (options, security groups, IP sets)' });
  // pve-storage `src/PVE/API2/Disks/ZFS.pm` (create: Sys.Modify on /) and `src/PVE/API2/Storage/Config.pm` (create: Datastore.Allocate on /storage).
  if (env.zfsPools.length > 0 || env.storageBoxes.some((b) => b.proxmoxStorageId))
    out.push({ aclPath: '/storage', privileges: ['Datastore.Allocate'], why: 'registering ZFS pools and Storage Boxes as storage' });
  return out;
}

/** Needs grouped by path with the privileges missing there. */
export function missingPrivileges(env: Environment, facts: ClusterFacts): { aclPath: string; missing: string[]; why: string[] }[] {
  const byPath = new Map<string, { missing: Set<string>; why: Set<string> }>();
  for (const need of privilegeNeeds(env, facts)) {
    const have = privilegesAt(facts.permissions, need.aclPath);
    const missing = need.privileges.filter((p) => !have.has(p));
    if (missing.length === 0) continue;
    const entry = byPath.get(need.aclPath) ?? { missing: new Set(), why: new Set() };
    missing.forEach((p) => entry.missing.add(p));
    entry.why.add(need.why);
    byPath.set(need.aclPath, entry);
  }
  return [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([aclPath, e]) => ({ aclPath, missing: [...e.missing].sort(), why: [...e.why] }));
}
