/** Renders the benchmark results as the Markdown tables `npm run bench` prints and saves. */
import type { CliResult } from './parts/cli';
import type { DiffResult } from './parts/diff';
import type { JunkResult } from './parts/junk';
import type { ProcessMeasure } from './parts/process';
import type { TestSuiteResult } from './parts/test-suite';
import type { WholeProcessResult } from './parts/whole-process';
import type { FanoutResult } from './parts/fanout';
import { WARM_GUESTS, type ScalingResult, type ScalingRow } from './parts/scaling';
import type { SynthComparison } from './parts/synth-vs-cdktf';

export interface Machine {
  readonly nproc: number;
  readonly memoryGib: number;
  readonly node: string;
  readonly cpu: string;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
}

export interface BenchResults {
  readonly startedAt: string;
  readonly elapsedSeconds: number;
  readonly machine: Machine;
  /** The parts that ran (`--only` / `--skip`). */
  readonly parts: readonly string[];
  readonly cli: CliResult | Skipped;
  readonly synth: SynthComparison | Skipped;
  readonly scaling: ScalingResult['rows'];
  readonly scalingSkipped: readonly string[];
  readonly whole: WholeProcessResult | Skipped;
  readonly junk: JunkResult | Skipped;
  readonly diff: DiffResult;
  readonly fanout: FanoutResult;
  readonly tests: TestSuiteResult | Skipped;
}

type Skipped = { readonly skipped: string };

const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
const kb = (x: number) => `${(x / 1024).toFixed(0)} KB`;

/**
 * The issue's goal table: every measurement next to its goal, from this run. A row whose part did
 * not run says so instead of a number.
 */
function goalRows(r: BenchResults): string[] {
  const rows: [string, string, string, boolean | undefined][] = [];
  const row = (cli: CliResult | Skipped, name: string): ProcessMeasure | undefined => ('skipped' in cli ? undefined : cli.rows.find((x) => x.command === name));
  const wall = (m: ProcessMeasure | undefined) => (m ? `${sec(m.medianMs)} (CPU ${sec(m.medianCpuMs)})` : 'not run');
  const meets = (m: ProcessMeasure | undefined, goalMs: number) => (m ? m.medianMs <= goalMs : undefined);
  for (const name of ['pvestack --help', 'pvestack list']) rows.push([`\`${name}\``, wall(row(r.cli, name)), '≤ 0.25 s', meets(row(r.cli, name), 250)]);
  // npx is the optional form: the same command after npm's own start-up, which no change here can remove.
  for (const name of ['npx pvestack --help', 'npx pvestack list']) rows.push([`\`${name}\` (optional form)`, wall(row(r.cli, name)), 'none', undefined]);
  rows.push(['`pvestack check production`', wall(row(r.cli, 'pvestack check production')), '≤ 0.35 s', meets(row(r.cli, 'pvestack check production'), 350)]);
  rows.push(['`pvestack synth production`', wall(row(r.cli, 'pvestack synth production')), '≤ 0.6 s', meets(row(r.cli, 'pvestack synth production'), 600)]);
  if ('skipped' in r.synth) rows.push(['`pvestack synth` vs `npx cdktf synth`, production', 'not run', '≥ 6×', undefined]);
  else
    rows.push([
      '`pvestack synth` vs `npx cdktf synth`, production',
      `${ratio(r.synth.ratio.wall)} (${sec(r.synth.median.pvestack.wallMs)} vs ${sec(r.synth.median.cdktf.wallMs)})`,
      '≥ 6×',
      r.synth.ratio.wall >= 6,
    ]);
  const whole = 'skipped' in r.whole ? undefined : r.whole;
  rows.push([
    `${whole?.guests ?? 1000} guests: validate + synth + schema + check, whole process`,
    whole ? wall(whole.fresh) : 'not run',
    '≤ 1.5 s',
    whole ? whole.fresh.medianMs <= 1500 : undefined,
  ]);
  const per = r.scaling.filter((x) => x.guests >= 100);
  if (per.length >= 2) {
    const first = per[0]!;
    const last = per[per.length - 1]!;
    // Flat means every size within ± 20 % of the smallest size's time per guest, not only the last.
    const spread = (f: (x: ScalingRow) => number) => per.map((x) => f(x) / f(first) - 1);
    const pct = (xs: number[]) => xs.map((c) => `${c >= 0 ? '+' : ''}${Math.round(c * 100)} %`).join(', ');
    const wallSpread = spread((x) => x.perGuestMs);
    const cpuSpread = spread((x) => x.perGuestCpuMs);
    rows.push([
      `time per guest, ${first.guests} → ${last.guests} guests (in process)`,
      `wall ${per.map((x) => x.perGuestMs.toFixed(2)).join(' → ')} ms (${pct(wallSpread.slice(1))}); CPU ${per.map((x) => x.perGuestCpuMs.toFixed(2)).join(' → ')} ms (${pct(cpuSpread.slice(1))})`,
      'flat (± 20 %)',
      wallSpread.every((c) => Math.abs(c) <= 0.2),
    ]);
  } else rows.push(['time per guest from 100 to 5 000 guests', 'not run', 'flat (± 20 %)', undefined]);
  const junk = 'skipped' in r.junk ? undefined : r.junk;
  rows.push([
    '5 MB junk spec (`pvestack check`)',
    junk ? `${wall(junk.yaml)}, ${kb(junk.yaml.outputBytes)} of output` : 'not run',
    '≤ 2 s, ≤ 100 KB',
    junk ? junk.yaml.medianMs <= 2000 && junk.yaml.outputBytes <= 100 * 1024 : undefined,
  ]);
  const t = 'skipped' in r.tests ? undefined : r.tests;
  rows.push([
    '`npm test`',
    t ? `${(t.wallMs / 60_000).toFixed(1)} min, exit ${t.exitCode}, ${t.summary}, ${t.timeouts} time-outs` : 'not run',
    '≤ 4 min, no time-out',
    t ? t.wallMs <= 240_000 && t.timeouts === 0 && t.exitCode === 0 : undefined,
  ]);
  // Deploy fan-out (issue: 10 hosts at most 1.5× the parallel scp + ssh lower bound, at least 2.5× faster than ansible-playbook).
  const ten = 'skipped' in r.fanout ? undefined : r.fanout.rows.find((x) => x.hosts === 10);
  const ms = (v: number | string | undefined) => (typeof v === 'number' ? v : undefined);
  const pv = ms(ten?.ms.pvestack);
  const lower = ms(ten?.ms.openssh);
  const ans = ms(ten?.ms.ansible);
  rows.push([
    '10-host fan-out, pvestack ÷ parallel scp + ssh',
    pv && lower ? `${ratio(pv / lower)} (${sec(pv)} vs ${sec(lower)})` : 'not run',
    '≤ 1.5×',
    pv && lower ? pv / lower <= 1.5 : undefined,
  ]);
  rows.push([
    '10-host fan-out, ansible-playbook ÷ pvestack',
    pv && ans ? `${ratio(ans / pv)} (${sec(ans)} vs ${sec(pv)})` : 'not run',
    '≥ 2.5×',
    pv && ans ? ans / pv >= 2.5 : undefined,
  ]);
  return [
    '| measurement | this run | goal | met |',
    '| --- | ---: | ---: | :---: |',
    ...rows.map(([m, v, g, ok]) => `| ${m} | ${v} | ${g} | ${ok === undefined ? '–' : ok ? 'yes' : 'no'} |`),
  ];
}

const ms = (x: number | undefined) => (x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mib = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x)} MiB`);
const ratio = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(2)}×`);

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGib} GiB RAM, Node ${m.node}; load average ${m.loadAverageAtStart.map((x) => x.toFixed(1)).join(' / ')} at start, ${m.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' / ')} at end. Run ${r.startedAt}, ${Math.round(r.elapsedSeconds)} s in total.`,
    '',
  );

  out.push(
    `Parts run: ${r.parts.join(', ')}. Wall times are medians of whole processes unless a table says otherwise; CPU is user + system time of the process tree, which machine load inflates less than wall time.`,
    '',
  );
  out.push('### Goals', '', ...goalRows(r), '');

  out.push('### Start-up: whole processes', '');
  if ('skipped' in r.cli) out.push(r.cli.skipped, '');
  else {
    out.push(
      `Medians of ${r.cli.runs} runs after one warm-up; \`pvestack\` is the form the README writes (found on the PATH in node_modules/.bin, which runs bin/pvestack.js), \`npx pvestack\` the same command after npm's own start-up.`,
      '',
    );
    if (r.cli.npxNote) out.push(`Note: ${r.cli.npxNote}.`, '');
    out.push('| command | wall | CPU |', '| --- | ---: | ---: |');
    for (const m of r.cli.rows) out.push(`| \`${m.command}\` | ${ms(m.medianMs)} | ${ms(m.medianCpuMs)} |`);
    out.push('');
  }

  out.push('### Synthesis of `production`: `pvestack synth` vs `cdktf synth`', '');
  if ('skipped' in r.synth) out.push(r.synth.skipped, '');
  else {
    const s = r.synth;
    out.push(`Medians of ${s.runs} alternating runs; memory: ${s.memorySource}. Output byte-identical: ${s.identicalOutput ? 'yes' : 'NO'}.`, '');
    out.push('| | wall time | peak RSS, whole process tree | peak RSS, largest process |', '| --- | ---: | ---: | ---: |');
    out.push(
      `| \`pvestack synth production\` (in-process) | ${ms(s.median.pvestack.wallMs)} | ${mib(s.median.pvestack.treeRssMib)} | ${mib(s.median.pvestack.maxRssMib)} |`,
    );
    out.push(
      `| \`npx cdktf synth\` (CLI + app child process) | ${ms(s.median.cdktf.wallMs)} | ${mib(s.median.cdktf.treeRssMib)} | ${mib(s.median.cdktf.maxRssMib)} |`,
    );
    out.push(`| ratio cdktf ÷ pvestack | ${ratio(s.ratio.wall)} | ${ratio(s.ratio.treeRss)} | ${ratio(s.ratio.maxRss)} |`, '');
  }

  out.push(
    '### Validate → synth → schema-validate → check, generated environments',
    '',
    `Each size in a process of its own, after untimed runs of the same size (at least ${WARM_GUESTS} guests in all); no output is deleted before the bench ends (bench/scratch.ts).`,
    '',
  );
  if (r.scalingSkipped.length) out.push(...r.scalingSkipped.map((s) => `- ${s}`), '');
  out.push(
    '| guests | runs | resources | validate | synth | schema | check | total | per guest | CPU total | CPU per guest |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of r.scaling)
    out.push(
      `| ${row.guests} | ${row.runs} | ${row.resources} | ${ms(row.ms.validate)} | ${ms(row.ms.synth)} | ${ms(row.ms.schema)} | ${ms(row.ms.check)} | ${ms(row.ms.total)} | ${row.perGuestMs.toFixed(2)} ms | ${ms(row.cpuMs.total)} | ${row.perGuestCpuMs.toFixed(2)} ms |`,
    );
  out.push('');

  out.push('### One process: validate + checks + synth + schema of a generated environment', '');
  if ('skipped' in r.whole) out.push(r.whole.skipped, '');
  else
    out.push(
      `\`pvestack validate --no-terraform\` of a ${r.whole.guests}-guest JSON spec, re-run into its own output: **${ms(r.whole.fresh.medianMs)}** wall, ${ms(r.whole.fresh.medianCpuMs)} CPU (median of ${r.whole.fresh.runs}).`,
      '',
    );

  out.push('### A 5 MB spec of unknown keys', '');
  if ('skipped' in r.junk) out.push(r.junk.skipped, '');
  else
    out.push(
      `\`pvestack check\` on ${(r.junk.bytes / 1e6).toFixed(1)} MB of YAML: **${ms(r.junk.yaml.medianMs)}** wall, ${ms(r.junk.yaml.medianCpuMs)} CPU, exit ${r.junk.yaml.exitCode}, ${kb(r.junk.yaml.outputBytes)} of output (the first 50 problems and a count).`,
      '',
    );

  out.push('### `npm test`', '');
  if ('skipped' in r.tests) out.push(r.tests.skipped, '');
  else {
    out.push(`${(r.tests.wallMs / 60_000).toFixed(1)} min, exit ${r.tests.exitCode}: ${r.tests.summary}; ${r.tests.timeouts} time-outs.`, '');
    if (r.tests.failed?.length) out.push('Failed:', ...r.tests.failed.map((f) => `- ${f}`), '');
  }

  out.push('### `pvestack diff` engine on two revisions of a generated environment', '');
  if ('skipped' in r.diff) out.push(r.diff.skipped, '');
  else {
    const d = r.diff;
    out.push(
      `${d.guests} guests; read both synthesized outputs + compare + render the PR markdown (${d.markdownBytes} bytes): **${ms(d.medianMs)}** median of ${d.runs}. The head revision's synth took ${ms(d.headSynthMs)}.`,
    );
    out.push(
      `Changes found: ${Object.entries(d.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
      '',
    );
  }

  out.push('### Deploy fan-out: one small compose stack to N loopback SSH hosts (real sshd + dockerd)', '');
  if ('skipped' in r.fanout) out.push(r.fanout.skipped, '');
  else {
    if (r.fanout.notes.length) out.push(...r.fanout.notes.map((n) => `- ${n}`), '');
    out.push(
      '| hosts | runs | pvestack deploy | ansible-playbook (copy + shell) | parallel scp + ssh (lower bound) | pvestack ÷ lower bound |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of r.fanout.rows) {
      const p = row.ms.pvestack;
      const o = row.ms.openssh;
      const show = (x: number | string) => (typeof x === 'number' ? ms(x) : x);
      out.push(
        `| ${row.hosts} | ${row.runs} | ${show(p)} | ${show(row.ms.ansible)} | ${show(o)} | ${typeof p === 'number' && typeof o === 'number' ? ratio(p / o) : '–'} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
