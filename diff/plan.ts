/**
 * Resource-level comparison of two synthesized `cdk.tf.json` documents, keyed by Terraform
 * address, with the provider's replacement and reboot rules applied and sensitive values masked.
 * It predicts what `terraform plan` would say about configuration changes; it cannot see drift.
 */
import type { Environment, Guest } from '../model';
import { changeEffect, forcesNewAt, rebootsAt } from './force-new';
import { isSensitiveAttribute, maskLine } from './sensitive';
import { MASKED, type AttributeChange, type ReplacementCause, type ResourceAction, type ResourceChange } from './types';
import { unifiedDiff } from './unified';
import { canonical, diffValues, isRecord, normalizePath, type RawChange } from './values';

/** The part of a synthesized Terraform JSON document the diff reads. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>>;
  /** Terraform `import` blocks (cdktf `importFrom`): `to` is a resource address, `id` the provider's import id. */
  readonly import?: readonly { readonly to: string; readonly id: string }[];
  readonly [key: string]: unknown;
}

/** Terraform meta-arguments and cdktf metadata: not provider attributes, never diffed as such. */
const META_KEYS = new Set(['//', 'lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

/** Guest resources: their replacement or reboot is a guest's. */
export const GUEST_TYPES = new Set(['proxmox_virtual_environment_vm', 'proxmox_virtual_environment_container']);

/** Resources that hold data themselves (destroying them destroys the data). */
const DATA_TYPES: Readonly<Record<string, string>> = { proxmox_node_disk_zfs: 'ZFS pool' };

/** Strings longer than this (or multi-line) are shown as a unified diff, not inline. */
const INLINE_LIMIT = 120;

interface Located {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly raw: Record<string, unknown>;
  readonly constructPath?: string;
}

function locate(doc: TerraformJson | undefined): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const [type, byName] of Object.entries(doc?.resource ?? {})) {
    for (const [name, raw] of Object.entries(byName)) {
      const body = Object.fromEntries(Object.entries(raw).filter(([k]) => !META_KEYS.has(k)));
      const meta = (raw['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      out.set(`${type}.${name}`, { address: `${type}.${name}`, type, name, body, raw, ...(meta?.path ? { constructPath: meta.path } : {}) });
    }
  }
  return out;
}

/** `lifecycle.ignore_changes` of a resource: `'all'` or attribute paths like `initialization[0].user_data_file_id`. */
function ignoredChanges(r: Located): 'all' | string[] {
  const ignore = (r.raw.lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  if (ignore === 'all' || (Array.isArray(ignore) && ignore.includes('all'))) return 'all';
  return Array.isArray(ignore) ? ignore.map(String) : [];
}

/** Navigates `a.b[0].c`; cdktf writes single-item blocks as objects, so `[0]` of an object is the object. */
function segmentsOf(path: string): (string | number)[] {
  return path.split('.').flatMap((part) => {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    return [m[1]!, ...[...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
  });
}

function getPath(root: unknown, segments: readonly (string | number)[]): unknown {
  let current = root;
  for (const s of segments) {
    if (typeof s === 'number') current = Array.isArray(current) ? current[s] : s === 0 ? current : undefined;
    else current = isRecord(current) ? current[s] : undefined;
  }
  return current;
}

function setPath(root: Record<string, unknown>, segments: readonly (string | number)[], value: unknown): void {
  let current: unknown = root;
  for (let i = 0; i < segments.length - 1; i++) current = getPath(current, [segments[i]!]);
  const last = segments[segments.length - 1]!;
  if (Array.isArray(current) && typeof last === 'number') current[last] = value;
  else if (isRecord(current) && typeof last === 'string') {
    if (value === undefined) delete current[last];
    else current[last] = value;
  }
}

/**
 * The head body as Terraform compares it: attributes under `lifecycle.ignore_changes` keep their
 * base value, so changing them plans nothing (the db VM ignores its cloud-init file id this way).
 */
function effectiveBody(before: Located, after: Located): Record<string, unknown> {
  const ignore = ignoredChanges(after);
  if (ignore === 'all') return before.body;
  if (ignore.length === 0) return after.body;
  const body = structuredClone(after.body);
  for (const path of ignore) {
    const segments = segmentsOf(path);
    if (getPath(body, segments.slice(0, -1)) === undefined) continue;
    setPath(body, segments, structuredClone(getPath(before.body, segments)));
  }
  return body;
}

function preventDestroy(r: Located | undefined): boolean {
  return (r?.raw.lifecycle as { prevent_destroy?: unknown } | undefined)?.prevent_destroy === true;
}

/** The guest a resource belongs to: the construct path segment after the stack that names a guest. */
function guestOf(r: Located, envs: readonly (Environment | undefined)[]): Guest | undefined {
  const names = new Map(envs.flatMap((e) => e?.guests ?? []).map((g) => [g.name, g] as const));
  const segments = r.constructPath?.split('/') ?? [];
  for (const s of segments.slice(1)) if (names.has(s)) return names.get(s);
  return GUEST_TYPES.has(r.type) && typeof r.body.name === 'string' ? names.get(r.body.name) : undefined;
}

/** Why a resource holds data, or undefined. */
function statefulReason(r: Located, guest: Guest | undefined, others: readonly (Located | undefined)[]): string | undefined {
  if (DATA_TYPES[r.type]) return `${DATA_TYPES[r.type]} ${String(r.body.name ?? r.name)}`;
  const all = [r, ...others].filter((x): x is Located => x !== undefined);
  if (GUEST_TYPES.has(r.type) && guest?.stateful) return `stateful guest ${guest.name} (role ${guest.role})`;
  if (all.some((x) => x.body.protection === true)) return 'protection = true';
  if (all.some(preventDestroy)) return 'lifecycle.prevent_destroy';
  return undefined;
}

function maskDeep(type: string, path: string, value: unknown): { value: unknown; masked: boolean } {
  if (isSensitiveAttribute(type, path, value)) return { value: MASKED, masked: true };
  if (Array.isArray(value)) {
    const items = value.map((v, i) => maskDeep(type, `${path}[${i}]`, v));
    return { value: items.map((i) => i.value), masked: items.some((i) => i.masked) };
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, maskDeep(type, path ? `${path}.${k}` : k, v)] as const);
    return { value: Object.fromEntries(entries.map(([k, m]) => [k, m.value])), masked: entries.some(([, m]) => m.masked) };
  }
  return { value, masked: false };
}

function isLong(v: unknown): v is string {
  return typeof v === 'string' && (v.includes('\n') || v.length > INLINE_LIMIT);
}

/** One raw change made presentable: masked, and long text turned into a unified diff. */
export function presentChange(type: string, change: RawChange): AttributeChange {
  const before = maskDeep(type, change.path, change.before);
  const after = maskDeep(type, change.path, change.after);
  if (before.masked || after.masked) {
    return { path: change.path, ...('before' in change ? { before: MASKED } : {}), ...('after' in change ? { after: MASKED } : {}), masked: true };
  }
  if (
    (isLong(change.before) || isLong(change.after)) &&
    (change.before === undefined || typeof change.before === 'string') &&
    (change.after === undefined || typeof change.after === 'string')
  ) {
    return {
      path: change.path,
      unified: unifiedDiff(String(change.before ?? ''), String(change.after ?? ''), { from: `base ${change.path}`, to: `head ${change.path}`, mask: maskLine }),
    };
  }
  return { path: change.path, ...('before' in change ? { before: before.value } : {}), ...('after' in change ? { after: after.value } : {}) };
}

/** Paths of string leaves in a body that reference `${address.…}`. */
function referencesTo(body: unknown, address: string, path = ''): string[] {
  if (typeof body === 'string') return body.includes(`\${${address}.`) ? [path] : [];
  if (Array.isArray(body)) return body.flatMap((v, i) => referencesTo(v, address, `${path}[${i}]`));
  if (isRecord(body)) return Object.entries(body).flatMap(([k, v]) => referencesTo(v, address, path ? `${path}.${k}` : k));
  return [];
}

interface Draft {
  action: ResourceAction;
  changes: AttributeChange[];
  replacedBecause: ReplacementCause[];
  rebootBecause: string[];
  notes: string[];
}

/**
 * Every resource that differs, sorted by address. Replacement spreads along references: a VM
 * whose `initialization.user_data_file_id` points at a snippet file that is replaced gets a new
 * (unknown until apply) value for a force-new attribute, so it is replaced too, naming the file.
 */
export function diffResources(
  base: TerraformJson | undefined,
  head: TerraformJson | undefined,
  envs: { readonly base?: Environment; readonly head?: Environment } = {},
): ResourceChange[] {
  const before = locate(base);
  const after = locate(head);
  const drafts = new Map<string, Draft>();
  const importIds = new Map((head?.import ?? []).map((i) => [i.to, i.id] as const));
  for (const address of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(address);
    const a = after.get(address);
    const adopted = importIds.get(address);
    if (!b && adopted !== undefined)
      drafts.set(address, {
        action: 'import',
        changes: [],
        replacedBecause: [],
        rebootBecause: [],
        notes: [`adopts the existing ${adopted} instead of creating it`],
      });
    else if (!b) drafts.set(address, { action: 'create', changes: [], replacedBecause: [], rebootBecause: [], notes: [] });
    else if (!a) drafts.set(address, { action: 'delete', changes: [], replacedBecause: [], rebootBecause: [], notes: [] });
    else if (canonical(b.body) !== canonical(effectiveBody(b, a))) {
      const body = effectiveBody(b, a);
      const effect = changeEffect(a.type, b.body, body);
      const replace = effect.replacedBecause.length > 0;
      drafts.set(address, {
        action: replace ? 'replace' : 'update',
        changes: diffValues(b.body, body).map((c) => presentChange(a.type, c)),
        replacedBecause: effect.replacedBecause,
        rebootBecause: replace ? [] : effect.rebootBecause,
        notes: effect.notes,
      });
    }
  }
  propagateReplacements(drafts, after, before);
  return [...drafts.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([address, d]) => {
      const r = (after.get(address) ?? before.get(address))!;
      const guest = guestOf(r, [envs.head, envs.base]);
      const stateful = statefulReason(r, guest, [before.get(address), after.get(address)]);
      const pd = d.action === 'delete' ? false : preventDestroy(after.get(address));
      const notes = [...d.notes];
      if (d.action === 'delete' && preventDestroy(before.get(address))) {
        notes.push('prevent_destroy was set, but it leaves with the resource block: Terraform will destroy it');
      }
      const interrupted = ipSetInterruption(r, d.action);
      if (interrupted) notes.push(interrupted);
      return {
        address,
        type: r.type,
        name: r.name,
        ...(r.constructPath ? { constructPath: r.constructPath } : {}),
        ...(guest ? { guest: guest.name } : {}),
        action: d.action,
        changes: d.changes.sort((x, y) => x.path.localeCompare(y.path)),
        replacedBecause: d.replacedBecause,
        rebootBecause: GUEST_TYPES.has(r.type) && d.action === 'update' ? d.rebootBecause : [],
        ...(stateful ? { stateful } : {}),
        preventDestroy: pd,
        notes,
      };
    });
}

/**
 * A replaced IP set is deleted and created again (its `cidr` list is ForceNew in
 * proxmoxtf/resource/firewall/ipset.go), and every rule naming `+<name>` matches nothing until it
 * is back: say so, because the plan alone reads like a harmless member change.
 */
export function ipSetInterruption(r: { readonly type: string; readonly body: Record<string, unknown> }, action: ResourceAction): string | undefined {
  if (r.type !== 'proxmox_virtual_environment_firewall_ipset' || (action !== 'replace' && action !== 'delete')) return undefined;
  const name = String(r.body.name ?? '?');
  const hosts = name === 'management' ? ' (this includes SSH and the web UI of the Proxmox hosts)' : '';
  // A deleted set: Proxmox does not check references (delete_ipset in pve-firewall
  // src/PVE/API2/Firewall/IPSet.pm), and rules name it by string, so Terraform has no edge to order by.
  if (action === 'delete')
    return `traffic through +${name} is interrupted during apply: the set is deleted, and rules still naming +${name} match nothing until their own update lands${hosts}`;
  return `traffic through +${name} is interrupted during apply: the set is deleted and created again, and rules naming +${name} match nothing in between${hosts}`;
}

function propagateReplacements(drafts: Map<string, Draft>, after: Map<string, Located>, before: Map<string, Located>): void {
  const handled = new Set<string>();
  for (;;) {
    const replaced = [...drafts.entries()].filter(([addr, d]) => d.action === 'replace' && !handled.has(addr)).map(([addr]) => addr);
    if (replaced.length === 0) return;
    for (const target of replaced) {
      handled.add(target);
      for (const r of after.values()) {
        if (r.address === target) continue;
        const ignore = ignoredChanges(r);
        if (ignore === 'all' || !before.has(r.address)) continue;
        const ignored = ignore.map(normalizePath);
        const paths = referencesTo(r.body, target).filter((p) => !ignored.some((i) => normalizePath(p) === i || normalizePath(p).startsWith(`${i}.`)));
        if (paths.length === 0) continue;
        const draft = drafts.get(r.address) ?? { action: 'update' as ResourceAction, changes: [], replacedBecause: [], rebootBecause: [], notes: [] };
        if (draft.action === 'create' || draft.action === 'import' || draft.action === 'delete') continue;
        drafts.set(r.address, draft);
        for (const path of paths) {
          const attribute = normalizePath(path);
          if (!draft.changes.some((c) => c.path === path)) draft.changes.push({ path, knownAfterApply: true });
          if (forcesNewAt(r.type, attribute) && !draft.replacedBecause.some((c) => c.attribute === attribute)) {
            draft.replacedBecause.push({ attribute, rule: 'dependency', reason: `references ${target}, which is replaced` });
            draft.action = 'replace';
            draft.rebootBecause = [];
          } else if (draft.action === 'update') {
            const reboot = rebootsAt(r.type, attribute);
            if (reboot && !draft.rebootBecause.includes(reboot)) draft.rebootBecause.push(reboot);
          }
        }
      }
    }
  }
}
