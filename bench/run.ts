/**
 * `npm run bench`: where pvestack stands, measured on this machine. Prints Markdown tables and
 * writes `bench/results/<timestamp>.json` and `bench/results/latest.md` (both gitignored; the
 * committed copy of a real run lives in docs/benchmark.md).
 *
 * Runs per part (medians are reported) can be lowered for a quick look with BENCH_QUICK=1.
 * Parts whose modules do not exist yet are reported as skipped, never faked.
 *
 * Parts run selectively: `npm run bench -- --only cli,junk` or `--skip fanout,test`. Parts:
 * cli (start-up of help/list/check/synth), synth (pvestack vs cdktf), scaling (per phase, in
 * process), whole (1 000 guests as one process), junk (5 MB bad spec), diff (needs scaling),
 * fanout (deploy), test (`npm test`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliStartup, type CliResult } from './parts/cli';
import { diffBench, type DiffResult } from './parts/diff';
import { fanout, type FanoutResult } from './parts/fanout';
import { junkSpec, type JunkResult } from './parts/junk';
import { scaling, type ScalingResult } from './parts/scaling';
import { synthVsCdktf, type SynthComparison } from './parts/synth-vs-cdktf';
import { testSuite, type TestSuiteResult } from './parts/test-suite';
import { wholeProcess, type WholeProcessResult } from './parts/whole-process';
import { renderMarkdown, type BenchResults } from './report';
import { removeScratch } from './scratch';

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';

const PLAN = {
  cliRuns: QUICK ? 2 : 7,
  synthRuns: QUICK ? 1 : 5,
  scaling: QUICK
    ? [
        { guests: 10, runs: 1 },
        { guests: 100, runs: 1 },
      ]
    : [
        { guests: 100, runs: 3 },
        { guests: 1000, runs: 2 },
        { guests: 5000, runs: 1 },
      ],
  /** The size the diff part compares two revisions of. */
  diffGuests: QUICK ? 100 : 1000,
  wholeGuests: QUICK ? 100 : 1000,
  wholeRuns: QUICK ? 1 : 3,
  junkRuns: QUICK ? 1 : 3,
  diffRuns: QUICK ? 1 : 3,
  fanout: QUICK
    ? [
        { hosts: 1, runs: 1 },
        { hosts: 5, runs: 1 },
      ]
    : [
        { hosts: 1, runs: 3 },
        { hosts: 5, runs: 3 },
        { hosts: 10, runs: 2 },
      ],
};

const log = (s: string) => process.stderr.write(`${s}\n`);

const PARTS = ['cli', 'synth', 'scaling', 'whole', 'junk', 'diff', 'fanout', 'test'] as const;
type Part = (typeof PARTS)[number];

/** The parts chosen with `--only a,b` or `--skip a,b` (default: all). */
function selectedParts(argv: readonly string[]): Set<Part> {
  const list = (flag: string) => {
    const i = argv.indexOf(flag);
    const inline = argv.find((a) => a.startsWith(`${flag}=`));
    const value = inline ? inline.slice(flag.length + 1) : i >= 0 ? argv[i + 1] : undefined;
    if (value === undefined) return undefined;
    const names = value.split(',').filter(Boolean);
    const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`unknown bench part(s) ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
    return names as Part[];
  };
  const only = list('--only');
  const skip = list('--skip') ?? [];
  const chosen = new Set<Part>(only ?? PARTS);
  for (const p of skip) chosen.delete(p);
  // The diff part compares against the scaling part's synthesized output.
  if (chosen.has('diff')) chosen.add('scaling');
  return chosen;
}

const notRun = { skipped: 'not run (part not selected)' } as const;

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

  const parts = selectedParts(process.argv.slice(2));
  const cli: CliResult | typeof notRun = parts.has('cli')
    ? await section('cli: whole processes, as people start them', () => cliStartup(ROOT, PLAN.cliRuns, log))
    : notRun;
  const synth: SynthComparison | { skipped: string } = parts.has('synth')
    ? await section('synth: pvestack vs cdktf on production', () => synthVsCdktf(ROOT, PLAN.synthRuns, log))
    : notRun;
  let scaled: ScalingResult | undefined;
  if (parts.has('scaling')) scaled = await section('scaling: validate + synth + schema + check', () => scaling(PLAN.scaling, log, PLAN.diffGuests));
  let diff: DiffResult = notRun;
  if (scaled && parts.has('diff'))
    diff = await section('diff: two revisions of a generated environment', () => diffBench(scaled!.largest, scaled!.largest.guests, PLAN.diffRuns, log));
  const whole: WholeProcessResult | typeof notRun = parts.has('whole')
    ? await section(`whole process: ${PLAN.wholeGuests} guests`, () => wholeProcess(ROOT, PLAN.wholeGuests, PLAN.wholeRuns, log))
    : notRun;
  const junk: JunkResult | typeof notRun = parts.has('junk')
    ? await section('junk: a 5 MB spec of unknown keys', () => junkSpec(ROOT, PLAN.junkRuns, log))
    : notRun;
  const fan: FanoutResult = parts.has('fanout') ? await section('deploy fan-out: pvestack vs ansible vs OpenSSH', () => fanout(PLAN.fanout, log)) : notRun;
  const tests: TestSuiteResult | typeof notRun = parts.has('test') ? await section('npm test', () => testSuite(ROOT, log)) : notRun;

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
    parts: [...parts],
    cli,
    synth,
    scaling: scaled?.rows ?? [],
    scalingSkipped: scaled ? scaled.skipped : [notRun.skipped],
    whole,
    junk,
    diff,
    fanout: fan,
    tests,
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

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  })
  // Only now: deleting earlier output would have slowed the later measurements (bench/scratch.ts).
  .finally(removeScratch);
