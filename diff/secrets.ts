/**
 * Secret changes without secret values: secret definitions (name → the env var the deployer reads),
 * which secrets each guest references, and entries of rendered env files. A change is only ever
 * reported as "changed (masked)": even the env var name is not shown, so a reviewer learns that a
 * secret moved, not where its value now lives.
 */
import type { Environment } from '../model';
import type { SecretChange, StackChange } from './types';
import { canonical, isRecord } from './values';

/** Secret names a value references: keys ending in `Secret` and entries of `secrets` lists. */
function referencedSecrets(value: unknown, key = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'string' && /Secret$/.test(key)) out.add(value);
  else if (Array.isArray(value)) {
    for (const v of value) {
      if (key === 'secrets' && typeof v === 'string') out.add(v);
      else referencedSecrets(v, key, out);
    }
  } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) referencedSecrets(v, k, out);
  return out;
}

function references(env: Environment | undefined): Set<string> {
  const out = new Set<string>();
  for (const g of env?.guests ?? []) for (const name of referencedSecrets(g.stacks)) out.add(`${g.name} → ${name}`);
  for (const box of env?.storageBoxes ?? []) for (const name of referencedSecrets(box)) out.add(`storage box ${box.name} → ${name}`);
  return out;
}

/** Secret changes of an environment, sorted by name. */
export function diffSecrets(base: Environment | undefined, head: Environment | undefined, applications: readonly StackChange[] = []): SecretChange[] {
  const changes: SecretChange[] = [];
  const b = base?.secrets ?? {};
  const h = head?.secrets ?? {};
  for (const name of [...new Set([...Object.keys(b), ...Object.keys(h)])]) {
    if (!(name in b)) changes.push({ name, change: 'added' });
    else if (!(name in h)) changes.push({ name, change: 'removed' });
    else if (canonical(b[name]) !== canonical(h[name])) changes.push({ name, change: 'changed (masked)' });
  }
  const rb = references(base);
  const rh = references(head);
  for (const r of rh) if (!rb.has(r)) changes.push({ name: `reference ${r}`, change: 'added' });
  for (const r of rb) if (!rh.has(r)) changes.push({ name: `reference ${r}`, change: 'removed' });
  for (const app of applications) {
    for (const key of app.envChanged.filter((k) => k.includes(':'))) changes.push({ name: `${app.guest}/${app.stack}/${key}`, change: 'changed (masked)' });
  }
  return changes.sort((x, y) => x.name.localeCompare(y.name));
}
