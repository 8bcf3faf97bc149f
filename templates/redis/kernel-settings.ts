/**
 * The kernel setting Redis asks for, and where it has to be made. Redis forks for AOF rewrites and
 * RDB saves; under the kernel's heuristic overcommit (`vm.overcommit_memory = 0`) that fork can
 * fail when memory is tight, and Redis warns at start ("WARNING Memory overcommit must be
 * enabled!", `checkOvercommit` in redis src/syscheck.c) and asks for `vm.overcommit_memory = 1`
 * (redis.io, "Redis administration"; the mode is described in the kernel's
 * Documentation/admin-guide/sysctl/vm.rst, "overcommit_memory").
 *
 * `vm.*` sysctls are not namespaced: a container sees the host's value and cannot change it
 * (Proxmox mounts /proc/sys read-only in containers). So a VM sets it itself (cloud-init), an
 * external host through the guest-baseline playbook, and for a container it is set on the Proxmox
 * node that hosts it (proxmox-host-sysctl playbook), where it applies to the whole node.
 */
import type { Guest } from '../../model';

/** The sysctl.d file that carries the setting, on a VM, an external host or a Proxmox node. */
export const REDIS_SYSCTL_PATH = '/etc/sysctl.d/60-pvestack-redis.conf';

/** Its content. */
export const REDIS_SYSCTL_CONTENT = 'vm.overcommit_memory = 1\n';

/** Whether a guest runs a Redis stack. */
export function runsRedis(guest: Guest): boolean {
  return guest.stacks.some((s) => s.kind === 'redis');
}

/** A sysctl.d file a playbook writes and loads (`sysctl -p`), and why. */
export interface SysctlFile {
  readonly path: string;
  readonly content: string;
  readonly reason: string;
}

/** The file for a host whose kernel runs Redis (`guests`: the containers on a node, or the host itself). */
function redisSysctlFile(guests: readonly Guest[]): SysctlFile {
  return { path: REDIS_SYSCTL_PATH, content: REDIS_SYSCTL_CONTENT, reason: `Redis on ${guests.map((g) => g.name).join(', ')}` };
}

/** What the guest-baseline playbook writes on an external host (VMs get the same file from cloud-init, containers cannot set it). */
export function guestSysctlFiles(guest: Guest): SysctlFile[] {
  return guest.kind === 'external' && runsRedis(guest) ? [redisSysctlFile([guest])] : [];
}

/** What the proxmox-host-sysctl playbook writes on a node: the setting of every Redis container it hosts. */
export function nodeSysctlFiles(guestsOnNode: readonly Guest[]): SysctlFile[] {
  const redis = guestsOnNode.filter((g) => g.kind === 'lxc' && runsRedis(g));
  return redis.length > 0 ? [redisSysctlFile(redis)] : [];
}
