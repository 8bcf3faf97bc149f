/**
 * Runs host deploys in parallel with a bound (`--concurrency`, default 4), reports progress, and
 * gathers one result for the summary table and `--json`. Which hosts and stacks to deploy is
 * decided before this (by the CLI from the validated environment); this only ships.
 */
import { PvestackError } from '../model';
import { DeployContext, deployHost, HostOutcome, HostTarget } from './host-deploy';
import type { ProgressSink } from './progress';
import type { Masker } from './secrets';

export interface DeployReport {
  readonly ok: boolean;
  readonly hosts: readonly HostOutcome[];
}

/** Deploys every target, at most `concurrency` at a time; never throws for a host's failure. */
export async function deployAll(
  targets: readonly HostTarget[],
  ctx: DeployContext,
  opts: { concurrency?: number; progress?: ProgressSink } = {},
): Promise<DeployReport> {
  const limit = Math.max(1, opts.concurrency ?? 4);
  const results: HostOutcome[] = new Array(targets.length);
  let next = 0;
  const withProgress: DeployContext = {
    ...ctx,
    onStage: (guest, stage, detail) => {
      opts.progress?.stage(guest, stage, detail);
      ctx.onStage?.(guest, stage, detail);
    },
  };
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      // A stopped run starts no new host: it is left exactly as it was.
      results[i] = ctx.signal?.aborted
        ? {
            guest: t.guest,
            address: `${t.endpoint.host}:${t.endpoint.port}`,
            status: 'interrupted',
            stacks: [],
            notes: ['not started: the run was stopped before this host'],
            elapsedMs: 0,
          }
        : await deployHost(t, withProgress);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  opts.progress?.finish();
  return { ok: results.every((r) => !r.error && r.status !== 'interrupted'), hosts: results };
}

/**
 * The report as JSON for `--json`: errors in their typed form, every string masked in place (never
 * the serialized text), so the output stays valid JSON whatever the secret values are.
 */
export function reportJson(report: DeployReport, masker: Masker, extra: Readonly<Record<string, unknown>> = {}): unknown {
  return masker.maskDeep({
    ok: report.ok,
    ...extra,
    hosts: report.hosts.map((h) => ({
      guest: h.guest,
      address: h.address,
      status: h.status,
      elapsedMs: h.elapsedMs,
      stacks: h.stacks,
      notes: h.notes,
      ...(h.error ? { error: h.error instanceof PvestackError ? h.error.toJSON() : { error: 'Internal', message: h.error.message } } : {}),
      ...(h.lockLeft ? { lockLeft: h.lockLeft } : {}),
    })),
  });
}
