/**
 * `npm run bench`: where pvestack stands, measured on this machine. Prints Markdown tables and
 * writes `bench/results/<timestamp>.json` and `bench/results/latest.md` (both gitignored; the
 * committed copy of a real run lives in docs/benchmark.md).
 *
 * Runs per part (medians are reported) can be lowered for a quick look with BENCH_QUICK=1.
 * Parts whose modules do not exist yet are reported as skipped, never faked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffBench, type DiffResult } from './parts/diff';
import { fanout, type FanoutResult } from './parts/fanout';
import { scaling } from './parts/scaling';
import { synthVsCdktf } from './parts/synth-vs-cdktf';
import { renderMarkdown, type BenchResults } from './report';

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';

const PLAN = {
  synthRuns: QUICK ? 1 : 5,
  scaling: QUICK ? [{ guests: 10, runs: 1 }, { guests: 100, runs: 1 }] : [{ guests: 10, runs: 5 }, { guests: 100, runs: 3 }, { guests: 1000, runs: 1 }],
  diffRuns: QUICK ? 1 : 3,
  fanout: QUICK ? [{ hosts: 1, runs: 1 }, { hosts: 5, runs: 1 }] : [{ hosts: 1, runs: 3 }, { hosts: 5, runs: 3 }, { hosts: 10, runs: 2 }],
};

const log = (s: string) => process.stderr.write(`${s}\n`);

async function section<T>(title: string, fn: () => Promise<T> | T): Promise<T> {
  log(`${title} ...`);
  const s = performance.now();
  const out = await fn();
  log(`  (${Math.round((performance.now() - s) / 1000)} s)`);
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const loadAverageAtStart = os.loadavg();

  const synth = await section('synth: pvestack vs cdktf on production', () => synthVsCdktf(ROOT, PLAN.synthRuns, log));
  const scaled = await section('scaling: validate + synth + schema + check', () => scaling(PLAN.scaling, log));
  let diff: DiffResult;
  try {
    diff = await section('diff: two revisions of the largest environment', () => diffBench(scaled.largest, PLAN.scaling[PLAN.scaling.length - 1]!.guests, PLAN.diffRuns, log));
  } finally {
    fs.rmSync(scaled.largest.outdir, { recursive: true, force: true });
  }
  const fan: FanoutResult = await section('deploy fan-out: pvestack vs ansible vs OpenSSH', () => fanout(PLAN.fanout, log));

  const results: BenchResults = {
    startedAt: started.toISOString(),
    elapsedSeconds: (performance.now() - t0) / 1000,
    machine: {
      nproc: os.availableParallelism(),
      memoryGib: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    synth,
    scaling: scaled.rows,
    scalingSkipped: scaled.skipped,
    diff,
    fanout: fan,
  };
  const markdown = renderMarkdown(results);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'latest.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`wrote bench/results/${stamp}.json and bench/results/latest.md`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
