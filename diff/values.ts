/**
 * Small helpers over Terraform JSON values: stable serialization, attribute paths and the
 * recursive comparison that yields changed paths. Pure and dependency-free.
 */

/** JSON with object keys sorted, so equal values always serialize equally. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `disk[1].size` → `disk.size`: the form force-new.json and the schema use. */
export function normalizePath(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

/**
 * Every non-empty value at a dotted attribute path, walking into each element of list blocks:
 * `valuesAt({disk:[{file_id:'a'},{}]}, 'disk.file_id')` is `['a']`.
 */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const segment of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (isRecord(item) && !isEmpty(item[segment])) next.push(item[segment]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) && v.every((x) => !isRecord(x)) ? [v] : Array.isArray(v) ? v : [v]));
}

/** Whether the values at `path` differ between two resource bodies. */
export function changedAt(before: unknown, after: unknown, path: string): boolean {
  return canonical(valuesAt(before, path)) !== canonical(valuesAt(after, path));
}

/** A leaf difference found by `diffValues`. */
export interface RawChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * Recursive comparison. Objects are compared key by key and lists element by element (cdktf
 * writes blocks in a stable order); a value that appears or disappears is one change at its path.
 */
export function diffValues(before: unknown, after: unknown, path = ''): RawChange[] {
  if (canonical(before) === canonical(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.some(isRecord) && after.some(isRecord)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => diffValues(before[i], after[i], `${path}[${i}]`)).flat();
  }
  return [{ path, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }];
}
