/**
 * What the bpg/proxmox provider does when an attribute changes: replace the resource, reboot
 * the guest, or update in place. The facts live in `providers/proxmox/force-new.json` (read from
 * the provider's source); this module only interprets them. Conditional rules (`force_new_if`)
 * are prose there, so each is matched to one of a few known condition shapes; a condition this
 * module does not recognise is reported as a note rather than guessed.
 */
import forceNewJson from '../providers/proxmox/force-new.json';
import { canonical, changedAt, valuesAt } from './values';
import type { ReplacementCause } from './types';

/** One conditional rule as force-new.json states it. */
export interface ConditionalRule {
  readonly path: string;
  readonly when: string;
}

/** The provider facts for one resource type. */
export interface ResourceRules {
  readonly force_new: readonly string[];
  readonly force_new_if: readonly ConditionalRule[];
  readonly reboot_on_change?: readonly string[];
}

/** The whole file: resource type → rules. */
export interface ForceNewTable {
  readonly resources: Readonly<Record<string, ResourceRules>>;
}

/** The vendored table. */
export const FORCE_NEW: ForceNewTable = forceNewJson as ForceNewTable;

/** What a change does to one resource, per the provider rules. */
export interface ChangeEffect {
  readonly replacedBecause: ReplacementCause[];
  readonly rebootBecause: string[];
  readonly notes: string[];
}

type Verdict = { replace: boolean; note?: string };
type Condition = (before: Record<string, unknown>, after: Record<string, unknown>, path: string) => Verdict;

const NO: Verdict = { replace: false };

/** Known condition shapes, recognised by the wording force-new.json uses. First match wins. */
const CONDITIONS: ReadonlyArray<{ readonly pattern: RegExp; readonly decide: (rule: ConditionalRule) => Condition }> = [
  {
    // "node_name changes while migrate is false (default false)"
    pattern: /while (\w+) is false/,
    decide: (rule) => {
      const flag = /while (\w+) is false/.exec(rule.when)![1]!;
      return (b, a, p) => ({ replace: changedAt(b, a, p) && a[flag] !== true });
    },
  },
  {
    // "vm_id changes to a value different from the current resource ID"
    pattern: /different from the current resource ID/,
    decide: () => (b, a, p) => ({ replace: changedAt(b, a, p) }),
  },
  {
    // "version changes while a tpm_state block exists before and after"
    pattern: /exists before and after/,
    decide: () => (b, a, p) => {
      const block = p.split('.').slice(0, -1).join('.');
      const present = (v: Record<string, unknown>) => valuesAt(v, block || p).length > 0 && valuesAt(v, p).length > 0;
      return { replace: changedAt(b, a, p) && present(b) && present(a) };
    },
  },
  {
    // "block added or removed (block-level ForceNew)"
    pattern: /block added or removed/,
    decide: () => (b, a, p) => ({ replace: valuesAt(b, p).length > 0 !== valuesAt(a, p).length > 0 }),
  },
  {
    // "number of mount_point blocks changes", "number of cidr entries changes"
    pattern: /number of .* changes/,
    decide: () => (b, a, p) => ({ replace: valuesAt(b, p).length !== valuesAt(a, p).length }),
  },
  {
    // "value changes and the prior state value is non-null"
    pattern: /prior state value is non-null/,
    decide: () => (b, a, p) => ({ replace: changedAt(b, a, p) && valuesAt(b, p).length > 0 }),
  },
  {
    // "volume changes, except when the current state value starts with the new value's storage part followed by ':'"
    pattern: /except when the current state value starts with/,
    decide: () => (b, a, p) => {
      const olds = valuesAt(b, p).map(String);
      const news = valuesAt(a, p).map(String);
      const suppressed = olds.length === news.length && olds.every((o, i) => o === news[i] || o.startsWith(`${news[i]!.split(':')[0]}:`));
      return { replace: changedAt(b, a, p) && !suppressed };
    },
  },
  {
    // "any disk size decreases ... most likely plans an in-place update that fails at apply"
    pattern: /decreases/,
    decide: (rule) => (b, a, p) => {
      const olds = valuesAt(b, p).map(Number);
      const news = valuesAt(a, p).map(Number);
      const shrinks = olds.some((o, i) => news[i] !== undefined && news[i]! < o);
      return shrinks ? { replace: false, note: `${p} shrinks: ${rule.when}` } : NO;
    },
  },
  {
    // Drift seen on refresh ("on refresh", "size found on refresh"): not decidable from configuration.
    pattern: /on refresh|found on refresh/,
    decide: () => () => NO,
  },
];

function conditionFor(rule: ConditionalRule): Condition {
  const known = CONDITIONS.find((c) => c.pattern.test(rule.when));
  if (known) return known.decide(rule);
  return (b, a, p) => (changedAt(b, a, p) ? { replace: false, note: `${p} changed and may force replacement: ${rule.when}` } : NO);
}

/**
 * Decides replacement and reboot for one resource from its configuration before and after.
 * `force_new` attributes compare the values at the path across all list elements, so adding a
 * disk without `file_id` does not replace the VM while adding one with a `file_id` does (the
 * provider treats that as a `file_id` change).
 */
export function changeEffect(type: string, before: Record<string, unknown>, after: Record<string, unknown>, table: ForceNewTable = FORCE_NEW): ChangeEffect {
  const rules = table.resources[type];
  const effect: ChangeEffect = { replacedBecause: [], rebootBecause: [], notes: [] };
  if (!rules || canonical(before) === canonical(after)) return effect;
  for (const path of rules.force_new) {
    if (changedAt(before, after, path)) effect.replacedBecause.push({ attribute: path, rule: 'force_new', reason: `${path} cannot change in place` });
  }
  for (const rule of rules.force_new_if) {
    const verdict = conditionFor(rule)(before, after, rule.path);
    if (verdict.replace && !effect.replacedBecause.some((c) => c.attribute === rule.path)) {
      effect.replacedBecause.push({ attribute: rule.path, rule: 'force_new_if', reason: rule.when });
    }
    if (verdict.note) effect.notes.push(verdict.note);
  }
  for (const path of rules.reboot_on_change ?? []) {
    if (changedAt(before, after, path)) effect.rebootBecause.push(path);
  }
  if (effect.rebootBecause.length > 0 && after.reboot_after_update === false) {
    effect.notes.push('reboot_after_update is false: the provider leaves these changes pending until the guest is restarted');
  }
  return effect;
}

/** Attribute paths in `rules.force_new` (or a conditional rule) for `type`: used to decide dependency replacements. */
export function forcesNewAt(type: string, attributePath: string, table: ForceNewTable = FORCE_NEW): boolean {
  const rules = table.resources[type];
  if (!rules) return false;
  return rules.force_new.includes(attributePath);
}

/** Whether an attribute is listed as rebooting the guest when it changes. */
export function rebootsAt(type: string, attributePath: string, table: ForceNewTable = FORCE_NEW): string | undefined {
  const rules = table.resources[type];
  return rules?.reboot_on_change?.find((r) => attributePath === r || attributePath.startsWith(`${r}.`));
}
