import type { Environment, Guest } from '../../model';

/**
 * Proxmox tags for a guest. Proxmox allows only `[a-z0-9_][a-z0-9_+.-]*` in tags, so the
 * `env:<env>` / `role:<role>` convention is written with a hyphen: `env-production`, `role-db`.
 */
export function guestTags(env: Environment, guest: Guest): string[] {
  const tags = [`env-${env.name}`, `role-${guest.role}`, 'pvestack', ...(guest.stateful ? ['stateful'] : []), ...guest.tags];
  return [...new Set(tags)].sort();
}
