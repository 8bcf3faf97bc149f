/**
 * Validate → synth → schema-validate → check on generated environments of growing size, each size
 * in a process of its own. Each size runs `runs` times (fewer for the big one) after an untimed run
 * of the same size; the medians and the time per guest show whether the pipeline stays linear.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir, scratchRoot } from '../scratch';
import { synthesizeApp } from '../../pipeline';
import { synthOnly } from './synth-only';
import { validateEnvironment, type Environment } from '../../model';
import { generateEnvironment } from '../generate-environment';
import { median } from '../measure';
import { optionalModule } from './optional';

type SchemaValidator = typeof import('../../providers/proxmox/schema-validator');
type Checks = typeof import('../../checks');

export interface ScalingRow {
  readonly guests: number;
  readonly runs: number;
  readonly resources: number;
  /** Median milliseconds per phase; undefined when the phase's module does not exist. */
  readonly ms: { readonly validate: number; readonly synth: number; readonly schema?: number; readonly check?: number; readonly total: number };
  readonly perGuestMs: number;
  /**
   * The same phases in CPU time of this process (user + system, GC threads included): on a busy
   * shared machine wall time also counts the time other processes hold the CPUs, CPU time does not.
   */
  readonly cpuMs: { readonly total: number };
  readonly perGuestCpuMs: number;
}

export interface ScalingResult {
  readonly rows: ScalingRow[];
  readonly skipped: string[];
  /** The last synthesized outdir of the size `keep` names (default the largest), kept for the diff benchmark (removed with the bench's scratch root). */
  readonly largest: { readonly outdir: string; readonly env: Environment; readonly guests: number };
}

/**
 * Untimed runs before the timed ones: as many as make about 1 000 guests, at least one. V8
 * optimizes a function after enough calls, not after enough runs: one warm run of 100 guests left
 * the timed 100-guest runs still paying for compiling and tiering up (their CPU time above their
 * wall time is the compiler thread), which a size of 1 000 or more had already paid for.
 */
export const WARM_GUESTS = 1000;
export const warmRuns = (guests: number): number => Math.max(1, Math.ceil(WARM_GUESTS / guests));

/**
 * One size in this process: untimed runs of the same size first ({@link warmRuns}), so that
 * compiling the hot code is not counted as time per guest, then `runs` timed runs. `keep`: leave
 * the last run's output directory for the diff benchmark.
 */
export function measureSize(guests: number, runs: number, keep: boolean): { row: ScalingRow; skipped: string[]; outdir?: string } {
  const schemaMod = optionalModule<SchemaValidator>('../../providers/proxmox/schema-validator');
  const checksMod = optionalModule<Checks>('../../checks');
  const skipped = [schemaMod.skipped, checksMod.skipped].filter((s): s is string => !!s);
  const schema = schemaMod.mod ? JSON.parse(fs.readFileSync(path.join(__dirname, '../../providers/proxmox/schema.json'), 'utf8')) : undefined;
  const spec = generateEnvironment(guests);
  // Nothing is deleted before the run is over (bench/scratch.ts says why).
  for (let i = 0; i < warmRuns(guests); i++)
    synthesizeApp(synthOnly(validateEnvironment(structuredClone(spec), `generated-${guests}`)), { outdir: scratchDir(`warm-${guests}-`) });
  const t: Record<'validate' | 'synth' | 'schema' | 'check', number[]> = { validate: [], synth: [], schema: [], check: [] };
  const cpu: number[] = [];
  let resources = 0;
  let kept: string | undefined;
  for (let i = 0; i < runs; i++) {
    const outdir = scratchDir(`scaling-${guests}-`);
    const cpuTimed = process.cpuUsage();
    let s = performance.now();
    const env = validateEnvironment(structuredClone(spec), `generated-${guests}`);
    t.validate.push(performance.now() - s);
    s = performance.now();
    const stack = synthesizeApp(synthOnly(env), { outdir }).stacks[0]!;
    t.synth.push(performance.now() - s);
    if (schemaMod.mod) {
      s = performance.now();
      const doc = JSON.parse(fs.readFileSync(stack.file, 'utf8'));
      const errors = schemaMod.mod.validateTerraformJson(doc, schema).filter((f) => f.severity === 'error');
      t.schema.push(performance.now() - s);
      if (errors.length) throw new Error(`generated ${guests}-guest environment fails the schema validator: ${errors[0]!.message}`);
      resources = Object.values(doc.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
    }
    if (checksMod.mod) {
      s = performance.now();
      const report = checksMod.mod.runChecks(env, { synthDir: stack.dir });
      t.check.push(performance.now() - s);
      if (!report.ok) throw new Error(`generated ${guests}-guest environment fails the checks: ${report.findings[0]!.rule} ${report.findings[0]!.message}`);
    }
    const used = process.cpuUsage(cpuTimed);
    cpu.push((used.user + used.system) / 1000);
    if (i === runs - 1 && keep) kept = outdir;
  }
  const ms = {
    validate: median(t.validate),
    synth: median(t.synth),
    ...(t.schema.length ? { schema: median(t.schema) } : {}),
    ...(t.check.length ? { check: median(t.check) } : {}),
  };
  const total = ms.validate + ms.synth + (ms.schema ?? 0) + (ms.check ?? 0);
  const cpuTotal = median(cpu);
  const row = { guests, runs, resources, ms: { ...ms, total }, perGuestMs: total / guests, cpuMs: { total: cpuTotal }, perGuestCpuMs: cpuTotal / guests };
  return { row, skipped, ...(kept ? { outdir: kept } : {}) };
}

/**
 * Every size in a process of its own (bench/parts/scaling-child.ts), as a user runs one
 * environment: cdktf keeps every token it ever made in a process-wide map, so the apps of earlier
 * runs stay in memory and a later, larger size in the same process would pay for marking them at
 * every garbage collection. Loading the modules is a one-time cost of each process, outside the
 * timed runs (the start-up and whole-process rows measure it).
 */
export function scaling(
  sizes: readonly { guests: number; runs: number }[],
  log: (s: string) => void,
  keep = Math.max(...sizes.map((x) => x.guests)),
): ScalingResult {
  const rows: ScalingRow[] = [];
  let skipped: string[] = [];
  let largest: ScalingResult['largest'] | undefined;
  scratchRoot();
  for (const { guests, runs } of sizes) {
    const child = spawnSync(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(__dirname, 'scaling-child.ts'), String(guests), String(runs), guests === keep ? 'keep' : ''],
      {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0) throw new Error(`scaling of ${guests} guests failed (exit ${child.status})`);
    const out = JSON.parse(child.stdout) as ReturnType<typeof measureSize>;
    rows.push(out.row);
    skipped = out.skipped;
    if (out.outdir) largest = { outdir: out.outdir, env: validateEnvironment(generateEnvironment(guests), `generated-${guests}`), guests };
    const { total } = out.row.ms;
    const cpuTotal = out.row.cpuMs.total;
    log(
      `  ${guests} guests × ${runs}: ${Math.round(total)} ms median (${(total / guests).toFixed(2)} ms/guest), CPU ${Math.round(cpuTotal)} ms (${(cpuTotal / guests).toFixed(2)} ms/guest)`,
    );
  }
  return { rows, skipped, largest: largest! };
}
