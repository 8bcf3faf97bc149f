/**
 * Ansible group names for an environment. Ansible accepts only `[A-Za-z0-9_]` in group names
 * (it warns about, and may rewrite, anything else), so hyphens become underscores:
 * `production-as-planned` → `production_as_planned`, node `pve-a` → `node_pve_a`.
 */
import type { Environment, Guest, StackSpec } from '../model';

/** Groups Ansible defines itself; an environment must not be named like them. */
export const RESERVED_GROUPS: readonly string[] = ['all', 'ungrouped'];

/** The group every Proxmox hypervisor of the environment belongs to. */
export const PROXMOX_NODES_GROUP = 'proxmox_nodes';

/** Guests that receive at least one GPU (VM passthrough or LXC device access). */
export const GPU_GROUP = 'gpu';

/** Guests that mount at least one Storage Box. */
export const STORAGE_BOX_GROUP = 'storage_box';

/** `production-as-planned` → `production_as_planned`; any other character outside `[A-Za-z0-9_]` too. */
export function groupName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(safe) ? `_${safe}` : safe;
}

/** The group of guests placed on one Proxmox node: `node_pve1`. */
export function nodeGroup(node: string): string {
  return groupName(`node_${node}`);
}

/** The group of hosts running a stack kind: `stack_postgres`, `stack_nginx_proxy`. */
export function stackGroup(kind: StackSpec['kind']): string {
  return groupName(`stack_${kind}`);
}

/** The group of the whole environment (every guest and node is in it). */
export function environmentGroup(env: Environment): string {
  return groupName(env.name);
}

/**
 * Every group a guest belongs to below the environment group, in a stable order: kind, role,
 * gpu, node, stacks, storage box.
 */
export function guestGroups(guest: Guest): string[] {
  const groups = [guest.kind, groupName(guest.role)];
  if (guest.gpus.length > 0) groups.push(GPU_GROUP);
  if (guest.node !== undefined) groups.push(nodeGroup(guest.node));
  for (const kind of [...new Set(guest.stacks.map((s) => s.kind))].sort()) groups.push(stackGroup(kind));
  if (guest.storageBoxMounts.length > 0) groups.push(STORAGE_BOX_GROUP);
  return groups;
}
