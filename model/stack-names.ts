/**
 * The name of each stack on a guest: its directory on the host, its compose project suffix, and
 * what the Ansible host variables call it. One function, so the renderer, the deployer and the
 * inventory can never name the same stack differently.
 */
import type { Guest } from './environment';
import type { StackSpec } from './spec';

/** The base name of a stack: its kind, or the compose stack's own name. */
function baseName(stack: StackSpec): string {
  return stack.kind === 'compose' ? stack.name : stack.kind;
}

/** Stack names on a guest, unique: a second stack of the same kind gets `-2`, and so on. */
export function stackNames(guest: Pick<Guest, 'stacks'>): string[] {
  const seen = new Map<string, number>();
  return guest.stacks.map((s) => {
    const base = baseName(s);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
