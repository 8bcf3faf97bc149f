import { describe, expect, it } from 'vitest';
import { drillLeftoversArgv, drillRunArgv, drillTarget, parseDrillLeftovers, parseDrillReport } from '../../backup/drill';
import { UsageError } from '../../model/errors';
import { loadEnvironment } from '../../stacks/registry';

describe('restore drill plan', () => {
  const env = loadEnvironment('production');
  const db = env.guests.find((g) => g.stacks.some((s) => s.kind === 'postgres' && s.backup))!;

  it('runs the server image without network, as uid 999, with the backups read-only, removed on exit', () => {
    const argv = drillRunArgv(drillTarget(env, db.name), 'pvestack-drill-db-x');
    expect(argv.slice(0, 18)).toEqual([
      'docker',
      'run',
      '--rm',
      '--name',
      'pvestack-drill-db-x',
      '--label',
      `pvestack.drill.guest=${db.name}`,
      '--network',
      'none',
      '--user',
      '999:999',
      '--shm-size',
      '256m',
      '-v',
      '/mnt/storagebox/postgres:/backup:ro',
      '--entrypoint',
      'sh',
      'pgvector/pgvector:0.8.0-pg16',
    ]);
    expect(argv[18]).toBe('-c');
    expect(argv[19]).toContain('restore.sh" --drill /backup');
  });

  it("finds an earlier drill's containers of the guest by their label, and reads docker's listing", () => {
    expect(drillLeftoversArgv('db')).toEqual(['docker', 'ps', '-a', '--filter', 'label=pvestack.drill.guest=db', '--format', '{{.Names}}\t{{.Status}}']);
    expect(parseDrillLeftovers('pvestack-drill-db-0a1b2c3d\tUp 3 minutes\npvestack-drill-db-ffff0000\tExited (1) 2 hours ago\n\n')).toEqual([
      { name: 'pvestack-drill-db-0a1b2c3d', status: 'Up 3 minutes' },
      { name: 'pvestack-drill-db-ffff0000', status: 'Exited (1) 2 hours ago' },
    ]);
    expect(parseDrillLeftovers('')).toEqual([]);
  });

  it.each([
    ['proxy', /has no postgres stack with backups/],
    ['nope', /no guest named "nope"/],
  ])('refuses %s with a usage error', (guest, message) => {
    expect(() => drillTarget(env, guest)).toThrow(UsageError);
    expect(() => drillTarget(env, guest)).toThrow(message);
  });

  it('reads the report; without a replayed transaction the point in time is the base backup end', () => {
    const out = [
      'pvestack-drill base 20261128T023000Z',
      'pvestack-drill base-finished 2026-11-28T02:31:00Z',
      'pvestack-drill newest-archived ',
      'pvestack-drill restored-to ',
      'pvestack-drill replayed-lsn 0/3000060',
      'pvestack-drill row\tpublic.t\t7',
      'noise',
    ].join('\n');
    const r = parseDrillReport(out, new Date('2026-11-28T03:31:00Z'));
    expect(r).toMatchObject({ baseBackup: '20261128T023000Z', pointInTime: '2026-11-28T02:31:00Z', lossWindowSeconds: 3600, rows: [['public.t', '7']] });
    expect(r.restoredTo).toBeUndefined();
  });
});
