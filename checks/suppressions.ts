/**
 * Suppressions: accepted findings, each with a written reason. They live next to what they
 * suppress (`guest.suppressions`) or environment-wide (`checks.suppressions`, optionally narrowed
 * to a spec path). A suppressed finding stays in the report, marked with its reason.
 */
import type { Environment } from '../model';
import type { Finding, Issue, SuppressionRef } from './types';

interface Candidate {
  readonly rule: string;
  readonly reason: string;
  readonly by: string;
  readonly matches: (f: Finding) => boolean;
}

/** `path` is `prefix` or lies under it (`guests[5]` covers `guests[5].disks[1]`). */
export function pathUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`) || path.startsWith(`${prefix}:`);
}

function candidates(env: Environment): Candidate[] {
  const out: Candidate[] = [];
  for (const g of env.guests)
    g.suppressions.forEach((s, i) =>
      out.push({
        rule: s.rule,
        reason: s.reason,
        by: `guests[${g.index}].suppressions[${i}]`,
        matches: (f) => f.guest === g.name || pathUnder(f.path, `guests[${g.index}]`),
      }),
    );
  env.checks.suppressions.forEach((s, i) =>
    out.push({ rule: s.rule, reason: s.reason, by: `checks.suppressions[${i}]`, matches: (f) => s.path === undefined || pathUnder(f.path, s.path) }),
  );
  return out;
}

/**
 * Marks the findings a suppression covers, and returns issues about the suppressions themselves:
 * ones naming a rule that does not exist (PVE-CHK-001) and ones that match nothing (PVE-CHK-002).
 */
export function applySuppressions(
  env: Environment,
  findings: readonly Finding[],
  knownRules: ReadonlySet<string>,
  /** Rules that ran: a suppression of a rule that did not run is not reported as unused. */
  ranRules: ReadonlySet<string>,
): { findings: Finding[]; unknown: Issue[]; unused: Issue[] } {
  const all = candidates(env);
  const used = new Set<Candidate>();
  const marked = findings.map((f): Finding => {
    const c = all.find((s) => s.rule === f.rule && s.matches(f));
    if (!c) return f;
    used.add(c);
    const suppressed: SuppressionRef = { reason: c.reason, by: c.by };
    return { ...f, suppressed };
  });
  const guestOf = (by: string) => {
    const m = /^guests\[(\d+)\]/.exec(by);
    return m ? { guest: env.guests[Number(m[1])]!.name } : {};
  };
  const unknown = all
    .filter((c) => !knownRules.has(c.rule))
    .map((c) => ({
      path: c.by,
      ...guestOf(c.by),
      message: `suppression names rule ${c.rule}, which does not exist`,
      hint: `Check the id against \`pvestack check --rules\`; rule ids are stable, so this is probably a typo.`,
    }));
  const unused = all
    .filter((c) => ranRules.has(c.rule) && !used.has(c))
    .map((c) => ({
      path: c.by,
      ...guestOf(c.by),
      message: `suppression of ${c.rule} matches no finding`,
      hint: 'Remove it: the problem it accepted is gone, and a stale suppression would hide its return.',
    }));
  return { findings: marked, unknown, unused };
}
