/**
 * `pvestack backup verify` for real: a backup made by the rendered archive and base-backup
 * scripts on Debian's PostgreSQL 15 (as uid 999, like the image), then the CLI's restore drill in
 * a container of a locally built PostgreSQL image on the test Docker engine. A good backup
 * restores with every row and a restored point in time; a corrupt WAL segment and a truncated
 * base backup make the drill fail loudly (exit 1), and no drill container is left behind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { DRILL_LABEL } from '../../backup/drill';
import { renderExporterQueries } from '../../templates/postgres/exporter-queries';
import { HOST_PGBIN } from '../support/postgres-image';
import { describeWithTools, scratchDir, waitFor } from '../support/tools';
import { DRILL_FIXTURE_TOOLS, DrillBackup, makeDrillBackup, writeLocalDrillSpec } from './drill-fixture';

const dockerHost = inject('dockerHost');
const CLI = path.join(__dirname, '..', '..', 'bin', 'pvestack.js');

describeWithTools(
  'pvestack backup verify: a restore drill on a real Docker engine',
  dockerHost ? DRILL_FIXTURE_TOOLS : ['dockerd-started-by-global-setup'],
  () => {
    const scratch = scratchDir('pvestack-drill-');
    const specFile = path.join(scratch.dir, 'drill.yaml');
    const dockerEnv = { ...process.env, DOCKER_HOST: dockerHost };
    let backup: DrillBackup;
    let box = '';
    let segmentAfterBase = '';
    const drillRecord = () => backup.drillRecord();
    const sql = (q: string) => backup.sql(q);
    const verify = () =>
      spawnSync('node', [CLI, '--json', 'backup', 'verify', specFile, 'db', '--local'], { env: dockerEnv, encoding: 'utf8', timeout: 240_000 });
    // By label: the SSH suite drills its own guest on the same engine, maybe at the same time.
    const drillContainers = () => spawnSync('docker', ['ps', '-aq', '--filter', `label=${DRILL_LABEL}=db`], { env: dockerEnv, encoding: 'utf8' }).stdout.trim();

    beforeAll(async () => {
      backup = await makeDrillBackup(scratch.dir, dockerHost);
      ({ box, segmentAfterBase } = backup);
      writeLocalDrillSpec(specFile, 'drilltest', backup.specParts);
    }, 240_000);
    afterAll(() => {
      backup?.stopServer();
      scratch.cleanup();
    });

    it('restores the newest backup and reports every table, the restored point in time and the loss window', () => {
      const r = verify();
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ ok: true, guest: 'db', env: 'drilltest' });
      expect(report.rows).toEqual([
        ['public.customers', '42'],
        ['public.orders', '600'],
      ]);
      expect(report.baseBackup).toMatch(/^\d{8}T\d{6}Z$/);
      expect(Date.parse(report.restoredTo)).toBeGreaterThan(Date.parse(report.baseBackupFinishedAt) - 1000);
      expect(report.lossWindowSeconds).toBeGreaterThanOrEqual(0);
      expect(report.lossWindowSeconds).toBeLessThan(600);
      expect(drillContainers()).toBe('');
      // The outcome, beside the backups, for the RestoreDrillFailed alert.
      expect(drillRecord()).toMatch(/^ok \d{4}-\d\d-\d\dT/);
      // Read-only: the drill left the archive as it found it (no new timeline, no history file).
      expect(fs.readdirSync(path.join(box, 'wal')).filter((f) => f.endsWith('.history'))).toEqual([]);
    }, 240_000);

    it('fails loudly when an archived WAL segment is corrupt', () => {
      const file = path.join(box, 'wal', segmentAfterBase);
      const good = fs.readFileSync(file);
      try {
        const bad = Buffer.from(good);
        bad.fill(0, 0, 64 * 1024);
        fs.writeFileSync(file, bad);
        const r = verify();
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
        expect(JSON.parse(r.stdout).message).toMatch(/FAILED[\s\S]*replay stopped before the newest archived segment/);
        expect(drillContainers()).toBe('');
      } finally {
        fs.writeFileSync(file, good);
      }
    }, 240_000);

    it('fails loudly when the base backup is truncated', () => {
      const name = fs.readdirSync(path.join(box, 'base')).sort().pop()!;
      const file = path.join(box, 'base', name, 'base.tar.gz');
      const good = fs.readFileSync(file);
      try {
        fs.writeFileSync(file, good.subarray(0, Math.floor(good.length / 2)));
        const r = verify();
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stdout).message).toContain('did not restore');
        expect(drillContainers()).toBe('');
        expect(drillRecord()).toMatch(/^failed /);
      } finally {
        fs.writeFileSync(file, good);
      }
    }, 240_000);
    it("postgres_exporter's queries read the archiver, the newest base backup and the drill's outcome", async () => {
      const data = backup.dataDir;
      const started = backup.asPostgres([
        `${HOST_PGBIN}/pg_ctl`,
        '-D',
        data,
        '-l',
        path.join(backup.releaseDir, 'server2.log'),
        '-w',
        '-t',
        '60',
        '-o',
        backup.serverOptions,
        'start',
      ]);
      expect(started.status, String(started.stderr)).toBe(0);
      try {
        const queries = parse(renderExporterQueries(true, box)) as Record<string, { query: string }>;
        const row = (name: string) => sql(queries[name]!.query).split('|').map(Number);
        // Statistics start empty after the immediate stop; archive one segment.
        sql("INSERT INTO orders VALUES (601, 'after the restart')");
        sql('SELECT pg_switch_wal()');
        await waitFor('a segment archived after the restart', () => row('pvestack_pg_archiver')[2]! > 0, 60_000);
        const [failed, , lastArchived] = row('pvestack_pg_archiver');
        expect(failed).toBe(0);
        expect(lastArchived).toBeGreaterThan(0);
        const [baseAge] = row('pvestack_pg_base_backup');
        expect(baseAge).toBeGreaterThanOrEqual(0);
        expect(baseAge).toBeLessThan(3600);
        // The last drill (the truncated base backup) failed, a moment ago.
        const [lastOk, drillAge] = row('pvestack_restore_drill');
        expect(lastOk).toBe(0);
        expect(drillAge).toBeLessThan(3600);
      } finally {
        backup.asPostgres([`${HOST_PGBIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
      }
    }, 120_000);
  },
  { root: true },
);
