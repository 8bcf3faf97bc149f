/**
 * The rule engine: runs every rule over a validated environment (and, when given, its synthesized
 * output), stamps issues into findings, applies suppressions and sorts the result.
 */
import { specLocation, type Environment } from '../model';
import { findLocalModelFacts, type LocalLookup } from './local-model-facts';
import { modelFactsFor } from './model-facts';
import { ALL_RULES } from './rules';
import { applySuppressions } from './suppressions';
import { loadSynthesized, type SynthesizedOutput } from './synthesized';
import type { CheckReport, Finding, Issue, Rule, Severity } from './types';

export interface CheckOptions {
  /** Rules to run. @default ALL_RULES */
  readonly rules?: readonly Rule[];
  /** Already-loaded synthesized output for the rules that read it (secrets in output, protection, q35). */
  readonly synthesized?: SynthesizedOutput;
  /** A synthesized stack directory (`cdktf.out/stacks/<env>`) to load instead of `synthesized`. */
  readonly synthDir?: string;
  /**
   * How to read facts of a model the table and the spec do not describe.
   * @default findLocalModelFacts: the model's directory or its Hugging Face cache snapshot, offline
   */
  readonly lookUpModel?: (model: string) => LocalLookup;
}

/** Looks up, once per model id, the vLLM models that neither the table nor the spec describes. */
function localModels(env: Environment, lookUp: (model: string) => LocalLookup): Map<string, LocalLookup> {
  const out = new Map<string, LocalLookup>();
  for (const guest of env.guests)
    for (const stack of guest.stacks) if (stack.kind === 'vllm' && !modelFactsFor(stack) && !out.has(stack.model)) out.set(stack.model, lookUp(stack.model));
  return out;
}

/** Rules about the suppressions themselves; run by the engine after the others. */
export const SUPPRESSION_RULES = {
  unknown: { id: 'PVE-CHK-001', family: 'checks', severity: 'warning', title: 'Suppressions name rules that exist', check: () => [] },
  unused: { id: 'PVE-CHK-002', family: 'checks', severity: 'info', title: 'Suppressions still match a finding', check: () => [] },
} as const satisfies Record<string, Rule>;

/** Every rule id the engine can report, with its metadata, for `--rules` and the docs. */
export function ruleCatalog(rules: readonly Rule[] = ALL_RULES): Rule[] {
  return [...rules, SUPPRESSION_RULES.unknown, SUPPRESSION_RULES.unused];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const byPath = new Intl.Collator('en', { numeric: true });

function stamp(rule: Pick<Rule, 'id' | 'severity' | 'title'>, issue: Issue, env?: Environment): Finding {
  const location = env ? specLocation(env, issue.path) : undefined;
  return { rule: rule.id, severity: rule.severity, title: rule.title, ...issue, ...(location ? { location } : {}) };
}

/** Unsuppressed first, then error → warning → info, then rule id, then path. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    Number(!!a.suppressed) - Number(!!b.suppressed) ||
    RANK[a.severity] - RANK[b.severity] ||
    a.rule.localeCompare(b.rule) ||
    byPath.compare(a.path, b.path) ||
    a.message.localeCompare(b.message)
  );
}

export function runChecks(env: Environment, options: CheckOptions = {}): CheckReport {
  const rules = options.rules ?? ALL_RULES;
  const synthesized = options.synthesized ?? (options.synthDir ? loadSynthesized(options.synthDir) : undefined);
  const ctx = { env, ...(synthesized ? { synthesized } : {}), localModels: localModels(env, options.lookUpModel ?? ((m) => findLocalModelFacts(m))) };
  const raw = rules.flatMap((rule) => rule.check(ctx).map((issue) => stamp(rule, issue, env)));
  const known = new Set(ruleCatalog(ALL_RULES).map((r) => r.id));
  const { findings, unknown, unused } = applySuppressions(env, raw, known, new Set(rules.map((r) => r.id)));
  return buildReport(env, [...findings, ...unknown.map((i) => stamp(SUPPRESSION_RULES.unknown, i)), ...unused.map((i) => stamp(SUPPRESSION_RULES.unused, i))]);
}

/** The report of an environment's findings (sorted, counted without the suppressed ones): one shape for `check` and `doctor`. */
export function buildReport(env: Environment, findings: readonly Finding[]): CheckReport {
  const all = [...findings].sort(compareFindings);
  const open = all.filter((f) => !f.suppressed);
  const count = (s: Severity) => open.filter((f) => f.severity === s).length;
  return {
    environment: env.name,
    source: env.source,
    ok: count('error') === 0,
    counts: { error: count('error'), warning: count('warning'), info: count('info'), suppressed: all.length - open.length },
    findings: all,
  };
}
