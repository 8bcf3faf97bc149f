/**
 * `pvestack synth production` (in-process synthesis, one node process) against `npx cdktf synth`
 * (the CLI, which starts the app as a child process) on the same environment, measured
 * alternately in the same run so that machine noise hits both alike.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '../scratch';
import { CommandMeasure, HAS_GNU_TIME, measureCommand, median } from '../measure';

export interface SynthComparison {
  readonly runs: number;
  readonly pvestack: CommandMeasure[];
  readonly cdktf: CommandMeasure[];
  readonly median: { readonly pvestack: Summary; readonly cdktf: Summary };
  /** cdktf ÷ pvestack, from the medians. */
  readonly ratio: { readonly wall: number; readonly treeRss: number; readonly maxRss?: number };
  readonly identicalOutput: boolean;
  readonly memorySource: string;
}

interface Summary {
  readonly wallMs: number;
  readonly treeRssMib: number;
  readonly maxRssMib?: number;
}

function summarize(ms: CommandMeasure[]): Summary {
  const max = ms.map((m) => m.maxRssMib).filter((x): x is number => x !== undefined);
  return { wallMs: median(ms.map((m) => m.wallMs)), treeRssMib: median(ms.map((m) => m.treeRssMib)), ...(max.length ? { maxRssMib: median(max) } : {}) };
}

export async function synthVsCdktf(root: string, runs: number, log: (s: string) => void): Promise<SynthComparison> {
  const scratch = scratchDir('synth-');
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  const pvestack: CommandMeasure[] = [];
  const cdktf: CommandMeasure[] = [];
  for (let i = 0; i < runs; i++) {
    const a = path.join(scratch, `pvestack-${i}`);
    const b = path.join(scratch, `cdktf-${i}`);
    pvestack.push(await measureCommand('node', ['bin/pvestack.js', '--quiet', '--out', a, 'synth', 'production'], { cwd: root, env }));
    cdktf.push(await measureCommand('npx', ['cdktf', 'synth', '--app', 'npx tsx bench/cdktf-production-app.ts', '--output', b], { cwd: root, env }));
    log(`  run ${i + 1}/${runs}: pvestack ${Math.round(pvestack[i]!.wallMs)} ms, cdktf ${Math.round(cdktf[i]!.wallMs)} ms`);
  }
  const read = (dir: string) => fs.readFileSync(path.join(dir, 'stacks', 'production', 'cdk.tf.json'), 'utf8');
  const identicalOutput = read(path.join(scratch, 'pvestack-0')) === read(path.join(scratch, 'cdktf-0'));
  const m = { pvestack: summarize(pvestack), cdktf: summarize(cdktf) };
  return {
    runs,
    pvestack,
    cdktf,
    median: m,
    ratio: {
      wall: m.cdktf.wallMs / m.pvestack.wallMs,
      treeRss: m.cdktf.treeRssMib / m.pvestack.treeRssMib,
      ...(m.cdktf.maxRssMib && m.pvestack.maxRssMib ? { maxRss: m.cdktf.maxRssMib / m.pvestack.maxRssMib } : {}),
    },
    identicalOutput,
    memorySource: HAS_GNU_TIME
      ? '/usr/bin/time -v (largest process) and /proc sampling (whole tree)'
      : '/proc sampling (whole tree) only: /usr/bin/time not found',
  };
}
