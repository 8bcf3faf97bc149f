/**
 * How a deploy shows progress: on a terminal one live line per host (stage, elapsed), redrawn in
 * place; in CI (`CI=true`) or with `--plain`, one timestamped line per change. Every line goes
 * through the masker. The summary table is the same in both.
 */
import type { HostOutcome, Stage } from './host-deploy';
import { Masker } from './secrets';

/** Receives stage changes from the orchestrator. */
export interface ProgressSink {
  stage(guest: string, stage: Stage, detail?: string): void;
  /** Called once at the end; a live display stops redrawing. */
  finish(): void;
}

type Write = (text: string) => void;

/** Plain lines: `2026-01-01T12:00:00.000Z web-1 upload app 2026...`. */
export class PlainProgress implements ProgressSink {
  constructor(
    private readonly masker: Masker,
    private readonly write: Write = (t) => process.stderr.write(t),
    private readonly now: () => Date = () => new Date(),
  ) {}
  stage(guest: string, stage: Stage, detail?: string): void {
    this.write(this.masker.mask(`${this.now().toISOString()} ${guest} ${stage}${detail ? ` ${detail}` : ''}\n`));
  }
  finish(): void {}
}

/** One line per host, redrawn in place with ANSI cursor movement (a TTY only). */
export class LiveProgress implements ProgressSink {
  private readonly rows = new Map<string, { stage: string; detail: string; started: number; ended?: number }>();
  private drawn = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(
    guests: readonly string[],
    private readonly masker: Masker,
    private readonly write: Write = (t) => process.stderr.write(t),
  ) {
    for (const g of guests) this.rows.set(g, { stage: 'waiting', detail: '', started: Date.now() });
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
    this.draw();
  }
  stage(guest: string, stage: Stage, detail?: string): void {
    const row = this.rows.get(guest) ?? { stage: '', detail: '', started: Date.now() };
    if (row.stage === 'waiting') row.started = Date.now();
    row.stage = stage;
    row.detail = detail ?? '';
    if (stage === 'done' || stage === 'failed') row.ended = Date.now();
    this.rows.set(guest, row);
    this.draw();
  }
  finish(): void {
    clearInterval(this.timer);
    this.draw();
  }
  private draw(): void {
    const width = Math.max(...[...this.rows.keys()].map((g) => g.length), 4);
    const cols = process.stderr.columns ?? 120;
    const lines = [...this.rows].map(([g, r]) => {
      const secs = (((r.ended ?? Date.now()) - r.started) / 1000).toFixed(1);
      return this.masker.mask(`${g.padEnd(width)}  ${r.stage.padEnd(8)} ${secs.padStart(6)}s  ${r.detail}`).slice(0, cols - 1);
    });
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }
}

/** The end-of-run table: host, status, stacks with their release, elapsed. */
export function summaryTable(outcomes: readonly HostOutcome[], masker: Masker): string {
  const rows = outcomes.map((o) => [
    o.guest,
    o.address,
    o.status,
    o.stacks.map((s) => `${s.stack}:${s.status}${s.release ? `@${s.release}` : ''}`).join(' ') || '-',
    `${(o.elapsedMs / 1000).toFixed(1)}s`,
  ]);
  const header = ['HOST', 'ADDRESS', 'STATUS', 'STACKS', 'TIME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const notes = outcomes.flatMap((o) => (o.notes ?? []).map((n) => `${o.guest}: ${n}`));
  const errors = outcomes
    .filter((o) => o.error || o.lockLeft)
    .map((o) => `\n${o.guest}: ${o.error ? o.error.message : ''}${o.lockLeft ? `\n${o.guest}: ${o.lockLeft}` : ''}`);
  return masker.mask([fmt(header), ...rows.map(fmt)].join('\n') + (notes.length ? `\n\n${notes.join('\n')}` : '') + errors.join('\n'));
}
