/**
 * A line-based unified diff (longest common subsequence, three lines of context), enough for
 * rendered config files of a few hundred lines. Written here rather than pulled in as a
 * dependency because the output must be stable and small.
 */

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string; readonly a: number; readonly b: number };

/** Above this many cells the LCS table is skipped and the file is shown as removed + added. */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS)
    return [...a.map((line, i) => ({ kind: '-' as const, line, a: i, b: 0 })), ...b.map((line, j) => ({ kind: '+' as const, line, a: n, b: j }))];
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i]!, a: i++, b: j++ });
    // Deletions before insertions on ties, as diff(1) prints them.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', line: a[i]!, a: i++, b: j });
    else ops.push({ kind: '+', line: b[j]!, a: i, b: j++ });
  }
  return ops;
}

/**
 * The unified diff of two texts with `---`/`+++` headers, or '' when they are equal.
 * `mask` is applied to every printed line (secret values in rendered files).
 */
export function unifiedDiff(
  before: string,
  after: string,
  opts: { readonly from?: string; readonly to?: string; readonly context?: number; readonly mask?: (line: string) => string } = {},
): string {
  if (before === after) return '';
  const context = opts.context ?? 3;
  const mask = opts.mask ?? ((l: string) => l);
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${opts.from ?? 'base'}`, `+++ ${opts.to ?? 'head'}`];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context + 1) end++;
    const lo = Math.max(0, changed[start]! - context);
    const hi = Math.min(ops.length - 1, changed[end]! + context);
    const hunk = ops.slice(lo, hi + 1);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = hunk[0]!.a + (aCount > 0 ? 1 : 0);
    const bStart = hunk[0]!.b + (bCount > 0 ? 1 : 0);
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${mask(op.line)}`);
    start = end + 1;
  }
  return `${out.join('\n')}\n`;
}
