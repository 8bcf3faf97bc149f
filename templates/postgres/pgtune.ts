/**
 * PostgreSQL memory/planner settings from PGTune's formulas (github.com/le0pard/pgtune).
 *
 * Pinned generation: **"B"**, the PGTune algorithm from commit 7d204bd/61720b9 (2025-04-30) until
 * the 2026-04 rewrite. It is the newest generation that reproduces every value architecture A
 * lists for 64 GB / 16 vCPU / SSD / 200 connections / oltp (maintenance_work_mem 2GB; the current
 * one gives 4GB), and unlike generation A it counts the parallel workers in work_mem's divisor:
 *   work_mem = (RAM − shared_buffers) / ((max_connections + max_worker_processes) × 3) / profile divisor
 * where max_worker_processes is the CPU count (8 when fewer than 4 CPUs), the divisor is
 * web/oltp 1, dw 2, mixed 2, desktop 6, and the result is floored with a 64 kB minimum.
 * For that case it gives work_mem 77672kB. Generation B has no `nvme` storage class; NVMe is
 * tuned as `ssd`. All sizes are `Size` values floored to whole kB, like PGTune's kB arithmetic
 * (its kB are KiB: PostgreSQL's `kB` is 1024 bytes).
 */
import { type PgProfile, Size } from '../../model';

export const PGTUNE_GENERATION = 'B (le0pard/pgtune 2025-04-30 .. 2026-04)';

export type PgStorage = 'ssd' | 'hdd' | 'san' | 'nvme';

export interface PgTuneInput {
  readonly memoryGib: number;
  readonly cpus: number;
  readonly maxConnections: number;
  readonly profile: PgProfile;
  readonly storage: PgStorage;
  /** PostgreSQL major version; settings newer than it are left out. */
  readonly pgMajor: number;
}

/** One `name = value` line, in PGTune's output order. */
export interface PgSetting {
  readonly name: string;
  readonly value: string;
}

const KB_PER_MB = 1024;
const KB_PER_GB = 1024 * 1024;
/** PGTune's unit of arithmetic: every size is a whole number of it. */
const KB = Size.kib(1);

/** PGTune's unit choice: GB when it divides evenly, else MB, else kB. */
export function formatKb(kb: number): string {
  if (kb % KB_PER_GB === 0) return `${kb / KB_PER_GB}GB`;
  if (kb % KB_PER_MB === 0) return `${kb / KB_PER_MB}MB`;
  return `${kb}kB`;
}

/** A size as postgresql.conf takes it, in PGTune's unit choice. */
function formatSize(size: Size): string {
  return formatKb(size.toKib());
}

const WAL_SIZES: Record<PgProfile, [string, string]> = {
  web: ['1GB', '4GB'],
  oltp: ['2GB', '8GB'],
  dw: ['4GB', '16GB'],
  desktop: ['100MB', '2GB'],
  mixed: ['1GB', '4GB'],
};

const WORK_MEM_DIVISOR: Record<PgProfile, number> = { web: 1, oltp: 1, dw: 2, mixed: 2, desktop: 6 };

const IO_CONCURRENCY: Record<PgStorage, number> = { hdd: 2, ssd: 200, san: 300, nvme: 200 };

/** Settings only some PostgreSQL majors know: left out below `since`. */
const SINCE: Readonly<Record<string, number>> = { max_parallel_workers: 10, max_parallel_maintenance_workers: 11 };

/** The guest's RAM as PGTune counts it: whole kB. */
function ramOf(input: PgTuneInput): Size {
  return Size.gib(input.memoryGib).roundDown(KB);
}

/** PGTune's maintenance_work_mem: RAM/16 (dw: RAM/8), at most 2 GB. */
export function maintenanceWorkMem(input: PgTuneInput): Size {
  return Size.min(
    ramOf(input)
      .dividedBy(input.profile === 'dw' ? 8 : 16)
      .roundDown(KB),
    Size.gib(2),
  );
}

/** PGTune's wal_buffers: 3 % of shared_buffers, at most 16 MB (from 14 MB up it takes 16 MB), at least 32 kB. */
function walBuffersFor(sharedBuffers: Size): Size {
  const max = Size.mib(16);
  const wal = sharedBuffers.times(3).dividedBy(100).roundDown(KB);
  if (wal.isGreaterThan(max)) return max;
  if (wal.isGreaterThan(Size.mib(14)) && wal.isLessThan(max)) return max;
  return Size.max(wal, Size.kib(32));
}

export function pgtune(input: PgTuneInput): PgSetting[] {
  const { profile, cpus, maxConnections } = input;
  const ram = ramOf(input);
  const sharedBuffers = ram.dividedBy(profile === 'desktop' ? 16 : 4).roundDown(KB);
  const effectiveCache = (profile === 'desktop' ? ram.dividedBy(4) : ram.times(3).dividedBy(4)).roundDown(KB);
  const maintenance = maintenanceWorkMem(input);
  const walBuffers = walBuffersFor(sharedBuffers);

  const parallel = cpus >= 4;
  const workers = parallel ? cpus : 8;
  const workMem = Size.max(
    Size.kib(64),
    ram
      .minus(sharedBuffers)
      .dividedBy((maxConnections + workers) * 3)
      .dividedBy(WORK_MEM_DIVISOR[profile])
      .roundDown(KB),
  );
  const [minWal, maxWal] = WAL_SIZES[profile];

  const settings: PgSetting[] = [
    { name: 'max_connections', value: String(maxConnections) },
    { name: 'shared_buffers', value: formatSize(sharedBuffers) },
    { name: 'effective_cache_size', value: formatSize(effectiveCache) },
    { name: 'maintenance_work_mem', value: formatSize(maintenance) },
    { name: 'checkpoint_completion_target', value: '0.9' },
    { name: 'wal_buffers', value: formatSize(walBuffers) },
    { name: 'default_statistics_target', value: profile === 'dw' ? '500' : '100' },
    { name: 'random_page_cost', value: input.storage === 'hdd' ? '4' : '1.1' },
    { name: 'effective_io_concurrency', value: String(IO_CONCURRENCY[input.storage]) },
    { name: 'work_mem', value: formatSize(workMem) },
    { name: 'huge_pages', value: ram.isAtLeast(Size.gib(32)) ? 'try' : 'off' },
    { name: 'min_wal_size', value: minWal },
    { name: 'max_wal_size', value: maxWal },
  ];
  if (parallel) {
    const perGather = Math.ceil(cpus / 2);
    settings.push(
      { name: 'max_worker_processes', value: String(cpus) },
      { name: 'max_parallel_workers_per_gather', value: String(profile === 'dw' ? perGather : Math.min(perGather, 4)) },
      { name: 'max_parallel_workers', value: String(cpus) },
      { name: 'max_parallel_maintenance_workers', value: String(Math.min(perGather, 4)) },
    );
  }
  return settings.filter((s) => input.pgMajor >= (SINCE[s.name] ?? 0));
}
