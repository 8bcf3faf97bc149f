import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKb, pgtune, PgTuneInput } from '../../../templates/postgres/pgtune';

/**
 * PGTune's own integer-kB arithmetic (le0pard/pgtune, generation B), written out as the oracle
 * for the sizes `pgtune` now computes as `Size` values.
 */
function pgtuneKb(input: PgTuneInput): Record<string, number | string> {
  const ram = Math.floor(input.memoryGib * 1024 * 1024);
  const desktop = input.profile === 'desktop';
  const sharedBuffers = Math.floor(desktop ? ram / 16 : ram / 4);
  let wal = Math.floor((3 * sharedBuffers) / 100);
  if (wal > 16384) wal = 16384;
  if (wal > 14336 && wal < 16384) wal = 16384;
  if (wal < 32) wal = 32;
  const workers = input.cpus >= 4 ? input.cpus : 8;
  const divisor = { web: 1, oltp: 1, dw: 2, mixed: 2, desktop: 6 }[input.profile];
  return {
    shared_buffers: sharedBuffers,
    effective_cache_size: Math.floor(desktop ? ram / 4 : (ram * 3) / 4),
    maintenance_work_mem: Math.min(Math.floor(input.profile === 'dw' ? ram / 8 : ram / 16), 2 * 1024 * 1024),
    wal_buffers: wal,
    work_mem: Math.max(64, Math.floor((ram - sharedBuffers) / ((input.maxConnections + workers) * 3) / divisor)),
    huge_pages: ram >= 32 * 1024 * 1024 ? 'try' : 'off',
  };
}

const asMap = (input: PgTuneInput) => Object.fromEntries(pgtune(input).map((s) => [s.name, s.value]));
const oltp64: PgTuneInput = { memoryGib: 64, cpus: 16, maxConnections: 200, profile: 'oltp', storage: 'ssd', pgMajor: 16 };

describe('pgtune (PGTune generation B)', () => {
  it('gives architecture A’s values for 64 GB / 16 vCPU / SSD / 200 connections / oltp', () => {
    expect(asMap(oltp64)).toEqual({
      max_connections: '200',
      shared_buffers: '16GB',
      effective_cache_size: '48GB',
      maintenance_work_mem: '2GB',
      checkpoint_completion_target: '0.9',
      wal_buffers: '16MB',
      default_statistics_target: '100',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
      // Generation B: (64 GiB − 16 GiB) / ((200 + 16) × 3) = 77672 kB (generation A would give 20971kB).
      work_mem: '77672kB',
      huge_pages: 'try',
      min_wal_size: '2GB',
      max_wal_size: '8GB',
      max_worker_processes: '16',
      max_parallel_workers_per_gather: '4',
      max_parallel_workers: '16',
      max_parallel_maintenance_workers: '4',
    });
  });

  it.each([
    // name, input overrides, expected subset
    [
      '≤ 3 CPUs: no parallel settings, 8 workers in the divisor',
      { cpus: 2 },
      { work_mem: String(Math.floor(50331648 / ((200 + 8) * 3))) + 'kB', max_worker_processes: undefined },
    ],
    ['web profile: 1GB/4GB WAL', { profile: 'web' as const }, { min_wal_size: '1GB', max_wal_size: '4GB', work_mem: '77672kB' }],
    [
      'dw profile: RAM/8 maintenance (capped at 2GB), statistics 500, work_mem halved, gather not capped',
      { profile: 'dw' as const },
      {
        maintenance_work_mem: '2GB',
        default_statistics_target: '500',
        work_mem: '38836kB',
        max_parallel_workers_per_gather: '8',
        min_wal_size: '4GB',
        max_wal_size: '16GB',
      },
    ],
    [
      'desktop profile: RAM/16 buffers, RAM/4 cache, work_mem ÷ 6',
      { profile: 'desktop' as const },
      { shared_buffers: '4GB', effective_cache_size: '16GB', work_mem: String(Math.floor((67108864 - 4194304) / 648 / 6)) + 'kB' },
    ],
    ['mixed profile: work_mem ÷ 2', { profile: 'mixed' as const }, { work_mem: '38836kB' }],
    ['hdd: random_page_cost 4, io concurrency 2', { storage: 'hdd' as const }, { random_page_cost: '4', effective_io_concurrency: '2' }],
    ['san: io concurrency 300', { storage: 'san' as const }, { effective_io_concurrency: '300', random_page_cost: '1.1' }],
    ['nvme tuned as ssd (generation B has no nvme)', { storage: 'nvme' as const }, { effective_io_concurrency: '200' }],
    [
      'small RAM: wal_buffers 3% of shared_buffers, huge pages off',
      { memoryGib: 1, cpus: 2, maxConnections: 20 },
      { shared_buffers: '256MB', effective_cache_size: '768MB', maintenance_work_mem: '64MB', wal_buffers: '7864kB', huge_pages: 'off', work_mem: '9362kB' },
    ],
    ['tiny RAM: work_mem floor 64kB, wal_buffers floor 32kB', { memoryGib: 0.001, cpus: 1, maxConnections: 1000 }, { work_mem: '64kB', wal_buffers: '32kB' }],
  ])('%s', (_name, overrides, expected) => {
    const got = asMap({ ...oltp64, ...overrides });
    for (const [k, v] of Object.entries(expected)) expect(got[k], k).toBe(v);
  });

  it('rounds wal_buffers between 14 MB and 16 MB up to 16 MB', () => {
    // shared_buffers 500 MB → 3% = 15360 kB → 16MB.
    expect(asMap({ ...oltp64, memoryGib: 2000 / 1024 }).wal_buffers).toBe('16MB');
  });

  it('leaves out settings an old PostgreSQL does not know', () => {
    expect(asMap({ ...oltp64, pgMajor: 10 })).not.toHaveProperty('max_parallel_maintenance_workers');
    expect(asMap({ ...oltp64, pgMajor: 15 })).toHaveProperty('max_parallel_maintenance_workers', '4');
  });

  it.each([
    [16777216, '16GB'],
    [2048, '2MB'],
    [77672, '77672kB'],
    [1048576 + 1024, '1025MB'],
  ])('formats %i kB as %s', (kb, text) => expect(formatKb(kb)).toBe(text));

  it("computes every size as PGTune's integer kB arithmetic does, for any RAM, CPUs, connections and profile", () => {
    const input = fc.record({
      // RAM as specs give it, GiB with up to three decimals: the huge-pages threshold and its
      // neighbours, under 4 GiB (where wal_buffers passes its 14-16 MB step), or up to 12 TiB.
      memoryGib: fc
        .oneof(fc.constantFrom(1000, 2000, 31999, 32000, 64000), fc.integer({ min: 250, max: 4000 }), fc.integer({ min: 250, max: 12288 * 1000 }))
        .map((n) => n / 1000),
      cpus: fc.integer({ min: 1, max: 512 }),
      maxConnections: fc.integer({ min: 1, max: 10000 }),
      profile: fc.constantFrom('web', 'oltp', 'dw', 'desktop', 'mixed'),
      storage: fc.constantFrom('ssd', 'hdd', 'san', 'nvme'),
      pgMajor: fc.constant(16),
    }) as fc.Arbitrary<PgTuneInput>;
    fc.assert(
      fc.property(input, (i) => {
        const got = asMap(i);
        for (const [name, want] of Object.entries(pgtuneKb(i))) expect(got[name], name).toBe(typeof want === 'number' ? formatKb(want) : want);
      }),
      { numRuns: 500 },
    );
  });
});
