/** Shared wording for the Markdown and terminal views, so both say the same thing. */
import type { AttributeChange, DiffCounts, FlowRef, ResourceChange } from './types';

/** Short, single-line rendering of an attribute value. */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function flowText(f: FlowRef): string {
  return `${f.from} → ${f.to} ${f.proto}/${f.port}${f.description ? ` (${f.description})` : ''}`;
}

/** `replace (forced by node_name)`, `update (reboots: cpu)`, ... */
export function actionDetail(r: ResourceChange): string {
  if (r.action === 'replace')
    return r.replacedBecause
      .map((c) => `${c.attribute}${c.rule === 'force_new_if' ? ` (${c.reason})` : c.rule === 'dependency' ? ` (${c.reason})` : ''}`)
      .join('; ');
  if (r.action === 'update' && r.rebootBecause.length) return `reboots: ${r.rebootBecause.join(', ')}`;
  return '';
}

export function changeText(c: AttributeChange): string {
  if (c.knownAfterApply) return 'known after apply';
  if (c.masked) return `${'before' in c ? '(masked)' : '(none)'} → ${'after' in c ? '(masked)' : '(none)'}`;
  if (c.unified !== undefined) return 'text changed (diff below)';
  return `${showValue(c.before)} → ${showValue(c.after)}`;
}

export const COUNT_LABELS: ReadonlyArray<readonly [keyof DiffCounts, string]> = [
  ['create', 'add'],
  ['import', 'import'],
  ['update', 'update'],
  ['replace', 'replace'],
  ['delete', 'destroy'],
  ['reboot', 'reboot'],
  ['flowsOpened', 'flows opened'],
  ['flowsClosed', 'flows closed'],
  ['stacksChanged', 'app stacks'],
  ['secretsChanged', 'secrets'],
];

export const ACTION_SYMBOL: Readonly<Record<ResourceChange['action'], string>> = { create: '+', import: '<=', update: '~', replace: '-/+', delete: '-' };
