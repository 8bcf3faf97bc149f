/**
 * Runs the doctor rules over an environment and the facts read from its cluster and returns a
 * report in the preflight checks' shape (same suppressions, same sorting, same JSON), so
 * `doctor --json` and `check --json` are read by the same tools.
 */
import { buildReport, ruleCatalog, type CheckReport, type Finding } from '../../checks';
import { applySuppressions } from '../../checks/suppressions';
import type { Environment } from '../../model';
import type { ClusterFacts } from '../facts';
import { DOCTOR_RULES } from './rules';
import type { DoctorRule } from './types';

export function runDoctor(env: Environment, facts: ClusterFacts, rules: readonly DoctorRule[] = DOCTOR_RULES): CheckReport {
  const raw: Finding[] = rules.flatMap((rule) =>
    rule.check({ env, facts }).map((issue) => ({ rule: rule.id, severity: rule.severity, title: rule.title, ...issue })),
  );
  const known = new Set([...ruleCatalog().map((r) => r.id), ...DOCTOR_RULES.map((r) => r.id)]);
  // Suppressions of preflight rules are not "unused" here: those rules did not run.
  const { findings } = applySuppressions(env, raw, known, new Set(rules.map((r) => r.id)));
  return buildReport(env, findings);
}
