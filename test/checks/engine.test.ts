import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkResultJson, formatReportText, ruleCatalog, runChecks } from '../../checks';
import { type Draft, env, findings } from './fixtures';
import { hasTableRow } from '../support/markdown';

const plainPgData = (s: Draft) => (s.guests[2].disks[1].datastore = 'local-lvm');

describe('rule engine and suppressions', () => {
  it('rule ids are unique and well-formed', () => {
    const ids = ruleCatalog().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^PVE-[A-Z]+-\d{3}$/);
  });

  it('checks/README.md documents every rule with its severity', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'checks', 'README.md'), 'utf8');
    for (const r of ruleCatalog()) expect(hasTableRow(readme, r.id, r.severity), `${r.id} | ${r.severity}`).toBe(true);
  });

  it('an unsuppressed error fails the report', () => {
    const report = runChecks(env(plainPgData));
    expect(report.ok).toBe(false);
    expect(report.counts.error).toBe(1);
  });

  it('a guest suppression keeps the finding, marked with its reason, and the report passes', () => {
    const e = env((s) => {
      plainPgData(s);
      s.guests[2].suppressions = [{ rule: 'PVE-DATA-004', reason: 'Replicated by streaming replication to another site.' }];
    });
    const report = runChecks(e);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ error: 0, suppressed: 1 });
    const [f] = findings(e, 'PVE-DATA-004');
    expect(f!.suppressed).toEqual({ reason: 'Replicated by streaming replication to another site.', by: 'guests[2].suppressions[0]' });
    expect(report.findings.at(-1)!.rule).toBe('PVE-DATA-004');
  });

  it('an environment suppression applies only under its path', () => {
    const twoDisks = (s: Draft) => {
      plainPgData(s);
      s.guests[3].disks[1].datastore = 'local-lvm';
    };
    const e = env((s) => {
      twoDisks(s);
      s.checks = { suppressions: [{ rule: 'PVE-DATA-004', path: 'guests[3]', reason: 'Model cache only, re-downloadable.' }] };
    });
    const found = findings(e, 'PVE-DATA-004');
    expect(found.map((f) => [f.path, f.suppressed?.by])).toEqual([
      ['guests[2].disks[1]', undefined],
      ['guests[3].disks[1]', 'checks.suppressions[0]'],
    ]);
  });

  it('reports suppressions of unknown rules and suppressions that match nothing', () => {
    const e = env((s) => {
      s.guests[1].suppressions = [{ rule: 'PVE-XYZ-999', reason: 'Typo in the rule id here.' }];
      s.checks = { suppressions: [{ rule: 'PVE-DATA-004', reason: 'Nothing is on plain storage now.' }] };
    });
    expect(findings(e, 'PVE-CHK-001').map((f) => [f.path, f.guest, f.message])).toEqual([
      ['guests[1].suppressions[0]', 'web', 'suppression names rule PVE-XYZ-999, which does not exist'],
    ]);
    expect(findings(e, 'PVE-CHK-002').map((f) => f.path)).toEqual(['checks.suppressions[0]']);
  });

  it('orders errors before warnings before info, suppressed last', () => {
    const report = runChecks(env((s) => (plainPgData(s), s.connections.push({ from: 'web', to: 'db', ports: 'tcp/5433' }))));
    expect(report.findings.map((f) => f.severity)).toEqual(['error', 'warning', 'info']);
  });

  it('the text report groups by guest with errors first and ends with the verdict', () => {
    const text = formatReportText(runChecks(env((s) => (plainPgData(s), s.connections.push({ from: 'web', to: 'db', ports: 'tcp/5433' })))));
    const lines = text.split('\n');
    expect(lines[0]).toBe('fixture (fixture)');
    expect(lines[1]).toBe('  guest db');
    expect(lines[2]).toContain('ERROR PVE-DATA-004  guests[2].disks[1]');
    expect(lines.at(-1)).toBe('fixture: FAIL — 1 error, 1 warning, 1 info, 0 suppressed');
  });

  it('the JSON document has the documented shape', () => {
    const json = checkResultJson([runChecks(env(plainPgData))]) as { version: number; ok: boolean; environments: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['version', 'ok', 'environments']);
    expect(json.ok).toBe(false);
    const report = json.environments[0]!;
    expect(Object.keys(report)).toEqual(['environment', 'source', 'ok', 'counts', 'findings']);
    expect((report.findings as Record<string, unknown>[])[0]).toEqual({
      rule: 'PVE-DATA-004',
      severity: 'error',
      title: expect.any(String),
      path: 'guests[2].disks[1]',
      guest: 'db',
      message: expect.stringContaining('pgdata'),
      hint: expect.any(String),
    });
  });
});
