import type { Environment, Guest } from '../../model';

/**
 * Proxmox tags for a guest. Proxmox allows only `[a-z0-9_][a-z0-9_+.-]*` in tags, so the
 * `env:<env>` / `role:<role>` convention is written with a hyphen: `env-production`, `role-db`.
 * `extra` carries construct-specific facts (`gpu`, `nvidia-driver-550.127.05`).
 */
export function guestTags(env: Environment, guest: Guest, extra: readonly string[] = []): string[] {
  const tags = [`env-${env.name}`, `role-${guest.role}`, 'pvestack', ...(guest.stateful ? ['stateful'] : []), ...extra, ...guest.tags];
  return [...new Set(tags.map(toTag))].sort();
}

function toTag(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_+.-]/g, '-');
}
