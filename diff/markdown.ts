/**
 * The pull-request comment. Stable (no clock, sorted input), GitHub-flavoured: a counts table,
 * the data-at-risk block first, and the long parts folded into `<details>`. The hidden marker lets
 * a CI step find and update its previous comment instead of adding a new one.
 */
import { ACTION_SYMBOL, COUNT_LABELS, actionDetail, changeText, flowText } from './format';
import type { DiffReport, EnvironmentDiff, ResourceChange, StackChange } from './types';

/** First line of every comment `pvestack diff --format markdown` writes. */
export const DIFF_MARKER = '<!-- pvestack-diff -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const t = text.replace(/\r?\n/g, ' ');
  return t.includes('`') ? `<code>${t.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>` : `\`${t}\``;
}

function fence(lang: string, body: string): string {
  const ticks = body.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${body.endsWith('\n') ? body : `${body}\n`}${ticks}`;
}

function details(summary: string, body: string[]): string[] {
  const trimmed = [...body];
  while (trimmed[trimmed.length - 1] === '') trimmed.pop();
  return ['<details>', `<summary>${summary}</summary>`, '', ...trimmed, '', '</details>', ''];
}

function countsTable(envs: readonly EnvironmentDiff[]): string[] {
  // The import column appears only when something is adopted, so ordinary PR comments keep their shape.
  const labels = COUNT_LABELS.filter(([k]) => k !== 'import' || envs.some((e) => e.counts.import > 0));
  return [
    `| environment | ${labels.map(([, l]) => l).join(' | ')} |`,
    `| --- | ${labels.map(() => '---:').join(' | ')} |`,
    ...envs.map((e) => `| ${cell(e.environment)} | ${labels.map(([k]) => String(e.counts[k])).join(' | ')} |`),
    '',
  ];
}

function risks(e: EnvironmentDiff): string[] {
  if (!e.risks.length) return [];
  return [
    '#### ⚠ Data at risk',
    '',
    ...e.risks.map((r) => {
      const what = r.action === 'replace' ? `replaced (forced by ${r.causes.map(code).join(', ')})` : 'destroyed';
      const block = r.blockedByPreventDestroy
        ? ' `prevent_destroy` is set: `terraform apply` will stop with an error before destroying it.'
        : ' Nothing stops the apply: the data is lost unless it is backed up.';
      return `- **${r.guest ?? r.address}: ${r.stateful} is ${what}** (${code(r.address)}).${block}`;
    }),
    '',
  ];
}

function resourceTable(resources: readonly ResourceChange[]): string[] {
  if (!resources.length) return [];
  return [
    '#### Resources',
    '',
    '| | action | address | guest | why |',
    '| --- | --- | --- | --- | --- |',
    ...resources.map(
      (r) =>
        `| ${cell(ACTION_SYMBOL[r.action])} | ${r.stateful && (r.action === 'replace' || r.action === 'delete') ? `**${r.action}**` : r.action} | ${code(r.address)} | ${cell(r.guest ?? '')} | ${cell(actionDetail(r))} |`,
    ),
    '',
  ];
}

function attributeDetails(resources: readonly ResourceChange[]): string[] {
  const changed = resources.filter((r) => r.changes.length || r.notes.length);
  if (!changed.length) return [];
  const body = changed.flatMap((r) => [
    `**${code(r.address)}** (${r.action})`,
    '',
    ...(r.changes.length ? ['| attribute | change |', '| --- | --- |', ...r.changes.map((c) => `| ${code(c.path)} | ${cell(changeText(c))} |`), ''] : []),
    ...r.changes.filter((c) => c.unified).flatMap((c) => [fence('diff', c.unified!), '']),
    ...r.notes.map((n) => `- note: ${n}`),
    ...(r.notes.length ? [''] : []),
  ]);
  return details(`Attribute changes (${changed.length} resource${changed.length === 1 ? '' : 's'})`, body);
}

function reboots(e: EnvironmentDiff): string[] {
  if (!e.reboots.length) return [];
  return ['#### Reboots (updated in place)', '', ...e.reboots.map((r) => `- ${r.guest ?? r.address}: ${r.because.map(code).join(', ')}`), ''];
}

function security(e: EnvironmentDiff): string[] {
  const s = e.security;
  const lines = [
    ...s.publicPortsOpened.map((f) => `- **public port opened:** ${flowText(f)}`),
    ...s.flowsOpened.filter((f) => f.from !== 'internet').map((f) => `- opened: ${flowText(f)}`),
    ...s.flowsClosed.map((f) => `- closed: ${flowText(f)}`),
    ...s.privilegedContainers.map((p) => `- **privileged container** ${p.guest} (${p.change})${p.reason ? `: ${p.reason}` : ''}`),
    ...s.gpuChanges.map(
      (g) =>
        `- PCI/GPU passthrough ${g.action}: ${g.guest ?? g.address}${'before' in g || 'after' in g ? ` ${code(`${JSON.stringify(g.before ?? null)} → ${JSON.stringify(g.after ?? null)}`)}` : ''}`,
    ),
  ];
  return lines.length ? ['#### Security changes', '', ...lines, ''] : [];
}

function stackSummary(a: StackChange): string {
  const parts: string[] = [a.status];
  if (a.images.length) parts.push(`${a.images.length} image${a.images.length === 1 ? '' : 's'}`);
  const env = a.envAdded.length + a.envRemoved.length + a.envChanged.length;
  if (env) parts.push(`${env} env key${env === 1 ? '' : 's'}`);
  parts.push(`${a.files.length} file${a.files.length === 1 ? '' : 's'}`);
  return `${a.guest} / ${a.stack}: ${parts.join(', ')}`;
}

function applications(e: EnvironmentDiff): string[] {
  if (!e.applications.length) return [];
  return [
    '#### Application changes',
    '',
    ...e.applications.flatMap((a) => [
      ...a.images.map((i) => `- ${a.guest} / ${a.stack}: image of ${code(i.service)} ${code(i.before ?? '(none)')} → ${code(i.after ?? '(none)')}`),
      ...a.envAdded.map((k) => `- ${a.guest} / ${a.stack}: env ${code(k)} added`),
      ...a.envRemoved.map((k) => `- ${a.guest} / ${a.stack}: env ${code(k)} removed`),
      ...a.envChanged.map((k) => `- ${a.guest} / ${a.stack}: env ${code(k)} changed (masked)`),
      ...a.healthchecks.map((h) => `- ${a.guest} / ${a.stack}: healthcheck of ${code(h.service)} ${h.change}`),
    ]),
    '',
    ...e.applications.flatMap((a) =>
      details(
        cell(stackSummary(a)),
        a.files.flatMap((f) => [`${code(f.path)} (${f.kind}, ${f.status})`, '', fence('diff', f.unified), '']),
      ),
    ),
  ];
}

function secrets(e: EnvironmentDiff): string[] {
  if (!e.secrets.length) return [];
  return ['#### Secrets', '', '| secret | change |', '| --- | --- |', ...e.secrets.map((s) => `| ${cell(s.name)} | ${s.change} |`), ''];
}

function environmentSection(e: EnvironmentDiff): string[] {
  const heading = `### ${e.environment}${e.status === 'present' ? '' : ` (${e.status === 'added' ? 'new environment' : 'environment removed'})`}`;
  if (!e.hasChanges) return [heading, '', 'No changes.', ''];
  return [
    heading,
    '',
    `**${e.verdict}**`,
    '',
    ...risks(e),
    ...resourceTable(e.resources),
    ...attributeDetails(e.resources),
    ...reboots(e),
    ...security(e),
    ...applications(e),
    ...secrets(e),
  ];
}

/** The whole comment. */
export function renderMarkdown(report: DiffReport): string {
  const head = [DIFF_MARKER, `## pvestack diff: ${code(report.base)} → ${code(report.head)}`, ''];
  if (!report.hasChanges)
    return [...head, `No changes: ${report.environments.map((e) => e.environment).join(', ')} match ${code(report.base)}.`, ''].join('\n');
  const verdicts = report.environments.filter((e) => e.hasChanges).map((e) => `- **${e.environment}:** ${e.verdict}`);
  return [...head, ...verdicts, '', ...countsTable(report.environments), ...report.environments.flatMap(environmentSection)].join('\n');
}
