/**
 * `pvestack diff` end to end: two (then three) revisions committed into a temporary git
 * repository holding a copy of this project, and the real CLI run there. Each run synthesizes the
 * base in a worktree (a few seconds), so the scenarios share revisions.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_MARKER, type DiffReport, type EnvironmentDiff } from '../../../diff/index';
import { TempRepo } from '../../diff/support/temp-repo';

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.warn('\n⚠ SKIPPED test/bin/commands/diff.tool.test.ts: git is not installed; CI installs it.\n');

const STG2 = `{ name: 'pve-stg2', cpuThreads: 24, memoryGib: 64, datastores: [{ id: 'local-lvm', type: 'lvmthin', media: 'ssd', capacityGib: 900 }, { id: 'mirror-ssd', type: 'lvmthin', media: 'ssd', capacityGib: 900, redundant: true }] },`;

(hasGit ? describe : describe.skip)('pvestack diff --base HEAD~1 (temporary repository)', () => {
  let repo: TempRepo;
  let changed: { code: number; markdown: string; report: DiffReport; stderr: string };
  let staging: EnvironmentDiff;

  beforeAll(() => {
    repo = TempRepo.create();
    // Revision 2: one spec edit per acceptance scenario.
    repo.edit('stacks/staging.ts', /cores: 4,\n(\s+)memoryGib: 8,/, 'cores: 6,\n$1memoryGib: 8,'); // web: CPU
    repo.edit('stacks/staging.ts', /\n(\s+)\],\n(\s+)vmIdRange/, `\n$1  ${STG2}\n$1],\n$2vmIdRange`); // a second node
    repo.edit('stacks/staging.ts', /role: 'db',\n(\s+)node: 'pve-stg',/, "role: 'db',\n$1node: 'pve-stg2',"); // db: node_name
    repo.edit(
      'stacks/staging.ts',
      /(ipv4: '10\.30\.0\.21',)/,
      "$1\n      storageBoxMounts: [{ box: 'offsite', mountPoint: '/mnt/storagebox', subdirectory: 'edu/cache' }],",
    ); // cache: cloud-init
    repo.edit('stacks/staging.ts', /(\{ from: 'web', to: 'db', ports: 'tcp\/5432' \},)/, "$1\n    { from: 'internet', to: 'db', ports: 'tcp/5432' },"); // 5432 public
    repo.edit('stacks/staging.ts', 'web:1.9.0-rc.1', 'web:1.9.0'); // image tag
    repo.edit('stacks/education/cluster.ts', "env: 'PVESTACK_POSTGRES_PASSWORD'", "env: 'PVESTACK_PG_PASSWORD'"); // secret
    repo.commit('revision 2');
    // Inside the repository on purpose: a diff.json at the root once shadowed the diff/ folder for require().
    const reportFile = path.join(repo.dir, 'diff.json');
    const run = repo.cli('diff', 'staging', '--base', 'HEAD~1', '--format', 'markdown', '--report', reportFile);
    changed = {
      code: run.code,
      markdown: run.stdout,
      stderr: run.stderr,
      report: fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as DiffReport) : ({} as DiffReport),
    };
    staging = changed.report.environments?.[0] as EnvironmentDiff;
  }, 180_000);

  afterAll(() => repo?.remove());

  it('exits 2 for changes and writes Markdown with the marker', () => {
    expect(changed.stderr).not.toMatch(/internal error/);
    expect(changed.code, changed.stderr).toBe(2);
    expect(changed.markdown.startsWith(DIFF_MARKER)).toBe(true);
  });

  it('a CPU change on the web VM is an in-place update with a reboot note', () => {
    const web = staging.resources.find((r) => r.guest === 'web' && r.type === 'proxmox_virtual_environment_vm')!;
    expect(web).toMatchObject({ action: 'update', rebootBecause: ['cpu'] });
    expect(web.changes).toContainEqual({ path: 'cpu.cores', before: 4, after: 6 });
    expect(staging.reboots.map((r) => r.guest)).toContain('web');
  });

  it('a node_name change on the db VM is a replacement of a stateful guest, blocked by prevent_destroy', () => {
    const db = staging.resources.find((r) => r.guest === 'db' && r.type === 'proxmox_virtual_environment_vm')!;
    expect(db.action).toBe('replace');
    expect(db.replacedBecause.map((c) => c.attribute)).toContain('node_name');
    expect(staging.risks).toContainEqual(expect.objectContaining({ guest: 'db', action: 'replace', blockedByPreventDestroy: true }));
    expect(changed.report.destroysStateful).toBe(true);
    expect(changed.markdown).toMatch(/⚠ Data at risk[^]*\*\*db: .*is replaced \(forced by `node_name`\)\*\*[^]*prevent_destroy/);
  });

  it('a cloud-init change on the stateless cache VM replaces it through the snippet file', () => {
    const cache = staging.resources.find((r) => r.guest === 'cache' && r.type === 'proxmox_virtual_environment_vm')!;
    expect(cache.action).toBe('replace');
    expect(cache.replacedBecause).toContainEqual(expect.objectContaining({ attribute: 'initialization.user_data_file_id', rule: 'dependency' }));
    const snippet = staging.resources.find((r) => r.guest === 'cache' && r.type === 'proxmox_virtual_environment_file')!;
    expect(snippet.action).toBe('replace');
    expect(snippet.replacedBecause.map((c) => c.attribute)).toEqual(expect.arrayContaining(['source_raw.data', 'source_raw.file_name']));
    expect(staging.risks.map((r) => r.guest)).not.toContain('cache');
  });

  it('opening 5432 to the internet appears under security changes', () => {
    expect(staging.security.publicPortsOpened).toContainEqual(expect.objectContaining({ from: 'internet', to: 'db', proto: 'tcp', port: '5432' }));
    expect(changed.markdown).toMatch(/#### Security changes\n\n- \*\*public port opened:\*\* internet → db tcp\/5432/);
  });

  it('the image tag bump appears under application changes', () => {
    const images = staging.applications.flatMap((a) => a.images.map((i) => ({ guest: a.guest, ...i })));
    expect(images).toContainEqual(
      expect.objectContaining({ guest: 'web', before: expect.stringContaining('web:1.9.0-rc.1'), after: expect.stringMatching(/web:1\.9\.0$/) }),
    );
  });

  it('a secret change shows as "changed (masked)" and never as a value', () => {
    expect(staging.secrets).toContainEqual({ name: 'postgres-password', change: 'changed (masked)' });
    expect(changed.markdown).toContain('| postgres-password | changed (masked) |');
    expect(changed.markdown).not.toContain('PVESTACK_PG_PASSWORD');
  });

  it('removes its worktree', () => {
    expect(repo.worktrees()).toEqual([`worktree ${fs.realpathSync(repo.dir)}`]);
  });

  it('a revision with no infrastructure change exits 0 with one line', () => {
    fs.appendFileSync(path.join(repo.dir, 'README.md'), '\nA note that changes no infrastructure.\n');
    repo.commit('docs only');
    const run = repo.cli('diff', 'staging', '--base', 'HEAD~1');
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^No changes: staging match HEAD~1@[0-9a-f]+\.\n$/);
  }, 120_000);

  it('an unknown base ref is an error (exit 1), not "changes"', () => {
    const run = repo.cli('diff', 'staging', '--base', 'no-such-ref');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/base ref "no-such-ref" does not resolve/);
    expect(repo.worktrees()).toHaveLength(1);
  });
});
