/**
 * The diff engine on two revisions of the largest generated environment: the head revision is
 * synthesized once (not timed here; synth is in the scaling table), then reading both outputs,
 * comparing them and rendering the PR-comment markdown is timed. This is `pvestack diff` without
 * its git worktree and base synthesis, which are the synth times above.
 */
import { scratchDir } from '../scratch';
import { synthesizeApp } from '../../pipeline';
import { synthOnly } from './synth-only';
import { validateEnvironment, type Environment } from '../../model';
import { generateEnvironment } from '../generate-environment';
import { median, timeRuns } from '../measure';
import { optionalModule } from './optional';

type DiffEngine = typeof import('../../diff');
type DiffIo = typeof import('../../diff/io/synthesized');

export type DiffResult =
  | { readonly skipped: string }
  | {
      readonly guests: number;
      readonly runs: number;
      readonly medianMs: number;
      readonly headSynthMs: number;
      readonly counts: Record<string, number>;
      readonly markdownBytes: number;
    };

export async function diffBench(base: { outdir: string; env: Environment }, guests: number, runs: number, log: (s: string) => void): Promise<DiffResult> {
  const engine = optionalModule<DiffEngine>('../../diff');
  const io = optionalModule<DiffIo>('../../diff/io/synthesized');
  if (!engine.mod || !io.mod) return { skipped: engine.skipped ?? io.skipped ?? 'skipped: not implemented' };
  const headOut = scratchDir('diff-');
  const head = validateEnvironment(generateEnvironment(guests, { revision: 2 }), `generated-${guests}-r2`);
  const s = performance.now();
  synthesizeApp(synthOnly(head), { outdir: headOut });
  const headSynthMs = performance.now() - s;
  let counts: Record<string, number> = {};
  let markdownBytes = 0;
  const times = await timeRuns(runs, () => {
    const b = io.mod!.readSynthesized(base.outdir, base.env.name);
    const h = io.mod!.readSynthesized(headOut, head.name);
    const d = engine.mod!.diffEnvironment({ environment: head.name, base: { ...b, env: base.env }, head: { ...h, env: head } });
    const md = engine.mod!.renderMarkdown(engine.mod!.diffReport('base', 'head', [d]));
    counts = { ...(d.counts as unknown as Record<string, number>) };
    markdownBytes = md.length;
  });
  log(`  diff of two ${guests}-guest revisions × ${runs}: ${Math.round(median(times))} ms median`);
  return { guests, runs, medianMs: median(times), headSynthMs, counts, markdownBytes };
}
