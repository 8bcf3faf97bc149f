/**
 * The terminal view: the same content as the Markdown comment, as plain lines, coloured when the
 * caller says the output is a colour terminal. Pure: colour is a parameter, not a TTY probe.
 */
import { ACTION_SYMBOL, COUNT_LABELS, actionDetail, changeText, flowText } from './format';
import type { DiffReport, EnvironmentDiff } from './types';

type Paint = (text: string) => string;

interface Palette {
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
  readonly bold: Paint;
  readonly dim: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (t) =>
    `\u001b[${open}m${t}\u001b[${close}m`;
const COLOR: Palette = { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
const PLAIN: Palette = { red: (t) => t, green: (t) => t, yellow: (t) => t, cyan: (t) => t, bold: (t) => t, dim: (t) => t };

function indent(text: string, prefix: string, p: Palette): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map(
      (l) =>
        prefix +
        (l.startsWith('+') && !l.startsWith('+++') ? p.green(l) : l.startsWith('-') && !l.startsWith('---') ? p.red(l) : l.startsWith('@@') ? p.cyan(l) : l),
    );
}

function environment(e: EnvironmentDiff, p: Palette, verbose: boolean): string[] {
  const out = [p.bold(`${e.environment}${e.status === 'present' ? '' : ` (${e.status})`}: ${e.verdict}`)];
  if (!e.hasChanges) return out;
  out.push(
    `  ${COUNT_LABELS.filter(([k]) => e.counts[k] > 0)
      .map(([k, l]) => `${e.counts[k]} ${l}`)
      .join(', ')}`,
  );
  for (const r of e.risks) {
    out.push(
      p.red(
        p.bold(
          `  ⚠ ${r.guest ?? r.address}: ${r.stateful} ${r.action === 'replace' ? `replaced (forced by ${r.causes.join(', ')})` : 'destroyed'}${r.blockedByPreventDestroy ? ' — prevent_destroy stops the apply' : ''}`,
        ),
      ),
    );
  }
  const colour = { create: p.green, import: p.cyan, update: p.yellow, replace: p.red, delete: p.red } as const;
  for (const r of e.resources) {
    const detail = actionDetail(r);
    out.push(
      `  ${colour[r.action](`${ACTION_SYMBOL[r.action].padEnd(3)} ${r.action.padEnd(7)}`)} ${r.address}${r.guest ? p.dim(` (${r.guest})`) : ''}${detail ? `  ${p.dim(detail)}` : ''}`,
    );
    for (const c of r.changes) {
      out.push(`        ${c.path}: ${changeText(c)}`);
      if (verbose && c.unified) out.push(...indent(c.unified, '          ', p));
    }
    for (const n of r.notes) out.push(p.dim(`        note: ${n}`));
  }
  const s = e.security;
  for (const f of s.publicPortsOpened) out.push(p.red(`  public port opened: ${flowText(f)}`));
  for (const f of s.flowsOpened.filter((x) => x.from !== 'internet')) out.push(p.yellow(`  flow opened: ${flowText(f)}`));
  for (const f of s.flowsClosed) out.push(p.green(`  flow closed: ${flowText(f)}`));
  for (const c of s.privilegedContainers) out.push(p.red(`  privileged container ${c.guest} (${c.change})`));
  for (const g of s.gpuChanges) out.push(p.yellow(`  PCI/GPU passthrough ${g.action}: ${g.guest ?? g.address}`));
  for (const a of e.applications) {
    out.push(`  app ${a.guest} / ${a.stack} (${a.status})`);
    for (const i of a.images) out.push(`      image ${i.service}: ${i.before ?? '(none)'} → ${i.after ?? '(none)'}`);
    for (const k of a.envAdded) out.push(p.green(`      env + ${k}`));
    for (const k of a.envRemoved) out.push(p.red(`      env - ${k}`));
    for (const k of a.envChanged) out.push(p.yellow(`      env ~ ${k} (masked)`));
    for (const h of a.healthchecks) out.push(`      healthcheck ${h.service} ${h.change}`);
    for (const f of a.files) {
      out.push(`      ${f.status} ${f.path} (${f.kind})`);
      if (verbose) out.push(...indent(f.unified, '        ', p));
    }
  }
  for (const sc of e.secrets) out.push(`  secret ${sc.name}: ${sc.change}`);
  return out;
}

/** The terminal report. `verbose` adds the unified diffs. */
export function renderTerminal(report: DiffReport, opts: { readonly color?: boolean; readonly verbose?: boolean } = {}): string {
  const p = opts.color ? COLOR : PLAIN;
  if (!report.hasChanges) return `No changes: ${report.environments.map((e) => e.environment).join(', ')} match ${report.base}.\n`;
  return `${[`pvestack diff ${report.base} → ${report.head}`, ...report.environments.flatMap((e) => environment(e, p, opts.verbose ?? true))].join('\n')}\n`;
}
