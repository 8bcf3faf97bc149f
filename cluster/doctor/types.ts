/**
 * The vocabulary of `pvestack doctor`: rules like the preflight checks' (`checks/types.ts`), but
 * pure functions of the environment *and* the facts read from the live cluster. Their findings
 * use the check report's shape, so `--json` and the text report read the same.
 */
import type { Issue, Severity } from '../../checks';
import type { Environment } from '../../model';
import type { ClusterFacts } from '../facts';

export interface DoctorContext {
  readonly env: Environment;
  readonly facts: ClusterFacts;
}

export interface DoctorRule {
  /** Stable id `PVE-LIVE-<nnn>`; never reused for a different meaning. */
  readonly id: string;
  readonly family: 'live';
  readonly severity: Severity;
  /** One line saying what the rule wants to be true of the cluster. */
  readonly title: string;
  check(ctx: DoctorContext): Issue[];
}

/** GiB from bytes, one decimal, for messages. */
export function gib(bytes: number): number {
  return Math.round((bytes / 1024 ** 3) * 10) / 10;
}
