/** Renders the benchmark results as the Markdown tables `npm run bench` prints and saves. */
import type { DiffResult } from './parts/diff';
import type { FanoutResult } from './parts/fanout';
import type { ScalingResult } from './parts/scaling';
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
  readonly synth: SynthComparison | { readonly skipped: string };
  readonly scaling: ScalingResult['rows'];
  readonly scalingSkipped: readonly string[];
  readonly diff: DiffResult;
  readonly fanout: FanoutResult;
}

const ms = (x: number | undefined) => (x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mib = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x)} MiB`);
const ratio = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(2)}×`);

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGib} GiB RAM, Node ${m.node}; load average ${m.loadAverageAtStart.map((x) => x.toFixed(1)).join(' / ')} at start, ${m.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' / ')} at end. Run ${r.startedAt}, ${Math.round(r.elapsedSeconds)} s in total.`, '');

  out.push('### Synthesis of `production`: `pvestack synth` vs `cdktf synth`', '');
  if ('skipped' in r.synth) out.push(r.synth.skipped, '');
  else {
    const s = r.synth;
    out.push(`Medians of ${s.runs} alternating runs; memory: ${s.memorySource}. Output byte-identical: ${s.identicalOutput ? 'yes' : 'NO'}.`, '');
    out.push('| | wall time | peak RSS, whole process tree | peak RSS, largest process |', '| --- | ---: | ---: | ---: |');
    out.push(`| \`pvestack synth production\` (in-process) | ${ms(s.median.pvestack.wallMs)} | ${mib(s.median.pvestack.treeRssMib)} | ${mib(s.median.pvestack.maxRssMib)} |`);
    out.push(`| \`npx cdktf synth\` (CLI + app child process) | ${ms(s.median.cdktf.wallMs)} | ${mib(s.median.cdktf.treeRssMib)} | ${mib(s.median.cdktf.maxRssMib)} |`);
    out.push(`| ratio cdktf ÷ pvestack | ${ratio(s.ratio.wall)} | ${ratio(s.ratio.treeRss)} | ${ratio(s.ratio.maxRss)} |`, '');
  }

  out.push('### Validate → synth → schema-validate → check, generated environments', '');
  if (r.scalingSkipped.length) out.push(...r.scalingSkipped.map((s) => `- ${s}`), '');
  out.push('| guests | runs | resources | validate | synth | schema | check | total | per guest |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of r.scaling)
    out.push(`| ${row.guests} | ${row.runs} | ${row.resources} | ${ms(row.ms.validate)} | ${ms(row.ms.synth)} | ${ms(row.ms.schema)} | ${ms(row.ms.check)} | ${ms(row.ms.total)} | ${row.perGuestMs.toFixed(1)} ms |`);
  out.push('');

  out.push('### `pvestack diff` engine on two revisions of the largest environment', '');
  if ('skipped' in r.diff) out.push(r.diff.skipped, '');
  else {
    const d = r.diff;
    out.push(`${d.guests} guests; read both synthesized outputs + compare + render the PR markdown (${d.markdownBytes} bytes): **${ms(d.medianMs)}** median of ${d.runs}. The head revision's synth took ${ms(d.headSynthMs)}.`);
    out.push(`Changes found: ${Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }

  out.push('### Deploy fan-out: one small compose stack to N loopback SSH hosts (real sshd + dockerd)', '');
  if ('skipped' in r.fanout) out.push(r.fanout.skipped, '');
  else {
    if (r.fanout.notes.length) out.push(...r.fanout.notes.map((n) => `- ${n}`), '');
    out.push('| hosts | runs | pvestack deploy | ansible-playbook (copy + shell) | parallel scp + ssh (lower bound) | pvestack ÷ lower bound |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of r.fanout.rows) {
      const p = row.ms.pvestack;
      const o = row.ms.openssh;
      const show = (x: number | string) => (typeof x === 'number' ? ms(x) : x);
      out.push(`| ${row.hosts} | ${row.runs} | ${show(p)} | ${show(row.ms.ansible)} | ${show(o)} | ${typeof p === 'number' && typeof o === 'number' ? ratio(p / o) : '–'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
