/**
 * The vocabulary of the preflight checks: rules, the issues they raise, and the findings the
 * engine reports once suppressions are applied. Rules are pure functions of a `CheckContext`.
 */
import type { Environment } from '../model';
import type { LocalLookup } from './local-model-facts';
import type { SynthesizedOutput } from './synthesized';

export type Severity = 'error' | 'warning' | 'info';

/** Rule families, one file each under `checks/rules/`. */
export type RuleFamily = 'capacity' | 'gpu' | 'model-fit' | 'addressing' | 'firewall' | 'secrets' | 'data-safety' | 'host' | 'checks';

/** What a rule says when it finds something: where, what (with the measured numbers), how to fix. */
export interface Issue {
  /** Spec path of the offending value, e.g. `guests[6].stacks[0]` or `cluster.nodes[3]`. */
  readonly path: string;
  /** Guest the issue is about, for grouping and guest-level suppressions. */
  readonly guest?: string;
  /** Proxmox node the issue is about (node-level findings). */
  readonly node?: string;
  /** One sentence with the numbers that were measured. */
  readonly message: string;
  readonly hint: string;
}

/** What rules read: the validated environment and, when given, the synthesized output. */
export interface CheckContext {
  readonly env: Environment;
  /** The synthesized stack directory's content (`cdk.tf.json` and rendered artifacts), if checked. */
  readonly synthesized?: SynthesizedOutput;
  /**
   * What this machine's files say about the models neither the built-in table nor the spec's
   * `modelFacts` describe, by model id (read by the engine before the rules run).
   */
  readonly localModels?: ReadonlyMap<string, LocalLookup>;
}

export interface Rule {
  /** Stable id: `PVE-<FAMILY>-<nnn>`; never reused for a different meaning. */
  readonly id: string;
  readonly family: RuleFamily;
  readonly severity: Severity;
  /** One line saying what the rule wants to be true. */
  readonly title: string;
  check(ctx: CheckContext): Issue[];
}

/** Where a suppression came from and why the team accepted the finding. */
export interface SuppressionRef {
  readonly reason: string;
  /** Spec path of the suppression, e.g. `guests[5].suppressions[0]` or `checks.suppressions[1]`. */
  readonly by: string;
}

/** One reported finding: an issue stamped with its rule and, if accepted, its suppression. */
export interface Finding extends Issue {
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly suppressed?: SuppressionRef;
  /** `file:line:column` of `path` when the spec came from a YAML or JSON file. */
  readonly location?: string;
}

/** The result of checking one environment. The JSON shape is documented in `checks/README.md`. */
export interface CheckReport {
  readonly environment: string;
  readonly source: string;
  /** False when at least one unsuppressed error remains. */
  readonly ok: boolean;
  readonly counts: { readonly error: number; readonly warning: number; readonly info: number; readonly suppressed: number };
  /** Sorted: unsuppressed before suppressed, then error, warning, info, then rule id and path. */
  readonly findings: readonly Finding[];
}
