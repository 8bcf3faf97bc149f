import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { DIFF_MARKER, diffEnvironment, diffReport, renderMarkdown, renderTerminal } from '../../diff/index';
import { loadEnvironment } from '../../stacks/registry';
import { sampleInput } from './support/sample';

const report = diffReport('origin/main@abc1234', 'working tree', [diffEnvironment(sampleInput())]);

describe('renderMarkdown', () => {
  const md = renderMarkdown(report);

  it('starts with the hidden marker a CI step finds its comment by', () => {
    expect(md.split('\n')[0]).toBe(DIFF_MARKER);
  });

  it('is stable', () => {
    expect(renderMarkdown(diffReport('origin/main@abc1234', 'working tree', [diffEnvironment(sampleInput())]))).toBe(md);
    expect(md).toMatchSnapshot();
  });

  it('puts the data-at-risk block before the resource table', () => {
    expect(md.indexOf('⚠ Data at risk')).toBeGreaterThan(0);
    expect(md.indexOf('⚠ Data at risk')).toBeLessThan(md.indexOf('#### Resources'));
    expect(md).toMatch(/\*\*db: stateful guest db \(role db\) is replaced \(forced by `node_name`\)\*\*.*prevent_destroy/);
  });

  it('renders to HTML with headings, tables and collapsed details (marked, GitHub-flavoured)', () => {
    const html = marked.parse(md, { async: false, gfm: true });
    expect(html).toContain('<h2>pvestack diff: <code>origin/main@abc1234</code> → <code>working tree</code></h2>');
    expect(html).toMatch(/<h4>⚠ Data at risk<\/h4>/);
    expect((html.match(/<table>/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/<th>environment<\/th>/);
    expect(html).toMatch(/<details>\s*<summary>Attribute changes \(2 resources\)<\/summary>/);
    expect(html).toMatch(/<pre><code class="language-diff">[^]*\+ {4}image: ghcr.io\/example-edu\/web:1.9.0/);
    expect(html).toContain('<!-- pvestack-diff -->');
  });

  it('never prints a secret value or the env var a secret moved to', () => {
    expect(md).not.toContain('PVESTACK_PG_PASSWORD');
    expect(md).toContain('| postgres-password | changed (masked) |');
  });

  it('says so in one line when nothing changed', () => {
    const env = loadEnvironment('staging');
    const same = diffReport('origin/main@abc1234', 'working tree', [diffEnvironment({ environment: 'staging', base: { env }, head: { env } })]);
    expect(renderMarkdown(same)).toBe(
      `${DIFF_MARKER}\n## pvestack diff: \`origin/main@abc1234\` → \`working tree\`\n\nNo changes: staging match \`origin/main@abc1234\`.\n`,
    );
    expect(renderTerminal(same)).toBe('No changes: staging match origin/main@abc1234.\n');
  });
});

describe('renderTerminal', () => {
  it('colours only when asked', () => {
    expect(renderTerminal(report, { color: false })).not.toContain('\u001b[');
    expect(renderTerminal(report, { color: true })).toContain('\u001b[31m');
  });

  it('leads with the verdict and the stateful risk', () => {
    const lines = renderTerminal(report).split('\n');
    expect(lines[1]).toMatch(/^staging: Blocked:/);
    expect(lines[3]).toMatch(/⚠ db: stateful guest db \(role db\) replaced \(forced by node_name\) — prevent_destroy stops the apply/);
  });
});
