/**
 * Formatting check reports: a readable text report grouped by guest (errors first) with a one-line
 * verdict, and the stable JSON document `pvestack check --json` prints (shape in README.md).
 */
import type { CheckReport, Finding, Severity } from './types';

/** Version of the JSON document; bumped only on incompatible changes. */
export const CHECK_JSON_VERSION = 1;

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

export interface TextOptions {
  /** Lowest severity printed. @default 'info' */
  readonly minSeverity?: Severity;
  /** Print suppressed findings (with their reasons). @default true */
  readonly showSuppressed?: boolean;
}

function groupOf(f: Finding): string {
  if (f.guest) return `guest ${f.guest}`;
  if (f.node) return `node ${f.node}`;
  return 'environment';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The one-line verdict: `production: PASS — 0 errors, 1 warning, 4 info, 1 suppressed`. */
export function verdictLine(report: CheckReport): string {
  const c = report.counts;
  return `${report.environment}: ${report.ok ? 'PASS' : 'FAIL'} — ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info, ${c.suppressed} suppressed`;
}

function findingLines(f: Finding): string[] {
  return [`    ${LABEL[f.severity]} ${f.rule}  ${f.location ? `${f.location}: ` : ''}${f.path}`, `            ${f.message}`, `            hint: ${f.hint}`];
}

/** The human report for one environment. */
export function formatReportText(report: CheckReport, opts: TextOptions = {}): string {
  const min = RANK[opts.minSeverity ?? 'info'];
  const open = report.findings.filter((f) => !f.suppressed && RANK[f.severity] <= min);
  const groups = new Map<string, Finding[]>();
  for (const f of open) groups.set(groupOf(f), [...(groups.get(groupOf(f)) ?? []), f]);
  // Groups with errors first, then warnings; inside a group findings are already sorted.
  const ordered = [...groups.entries()].sort(([, a], [, b]) => Math.min(...a.map((f) => RANK[f.severity])) - Math.min(...b.map((f) => RANK[f.severity])));
  const lines = [`${report.environment} (${report.source})`];
  for (const [group, findings] of ordered) {
    lines.push(`  ${group}`);
    for (const f of findings) lines.push(...findingLines(f));
  }
  const suppressed = report.findings.filter((f) => f.suppressed);
  if ((opts.showSuppressed ?? true) && suppressed.length > 0) {
    lines.push('  suppressed');
    for (const f of suppressed) lines.push(`    ${f.rule}  ${f.path}  ${f.message}`, `            accepted (${f.suppressed!.by}): ${f.suppressed!.reason}`);
  }
  if (open.length === 0 && suppressed.length === 0) lines.push('  no findings');
  lines.push(verdictLine(report));
  return lines.join('\n');
}

/** One finding as JSON, keys in a fixed order; absent optional fields are left out. */
export function findingJson(f: Finding): Record<string, unknown> {
  return {
    rule: f.rule,
    severity: f.severity,
    title: f.title,
    path: f.path,
    ...(f.guest !== undefined ? { guest: f.guest } : {}),
    ...(f.node !== undefined ? { node: f.node } : {}),
    ...(f.location !== undefined ? { location: f.location } : {}),
    message: f.message,
    hint: f.hint,
    ...(f.suppressed ? { suppressed: { reason: f.suppressed.reason, by: f.suppressed.by } } : {}),
  };
}

export function reportJson(report: CheckReport): Record<string, unknown> {
  return {
    environment: report.environment,
    source: report.source,
    ok: report.ok,
    counts: { error: report.counts.error, warning: report.counts.warning, info: report.counts.info, suppressed: report.counts.suppressed },
    findings: report.findings.map(findingJson),
  };
}

/** The document `pvestack check --json` prints for one or more environments. */
export function checkResultJson(reports: readonly CheckReport[]): Record<string, unknown> {
  return { version: CHECK_JSON_VERSION, ok: reports.every((r) => r.ok), environments: reports.map(reportJson) };
}
