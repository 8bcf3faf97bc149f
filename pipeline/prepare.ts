/**
 * The first half of the one pipeline every entry point runs: load → validate → check. Synthesis,
 * rendering and deploys take a `PreparedEnvironments`, which only this module creates, so no route
 * can reach the constructs, the renderers or a host without the checks having run, or without the
 * user having skipped them by an explicit switch that prints a loud warning.
 */
import { CheckFailedError, runChecks, verdictLine, type CheckReport } from '../checks';
import type { Environment } from '../model';
import { loadEnvironment } from '../stacks/registry';

/** Where the pipeline talks to the user; the CLI's reporter and the cdktf app's stderr both fit. */
export interface PipelineLog {
  info(line: string): void;
  warn(line: string): void;
}

declare const prepared: unique symbol;

/** Environments that went through load → validate → check (or skipped the checks by request). */
export interface PreparedEnvironments {
  readonly environments: readonly Environment[];
  /** One report per environment; empty when the checks were skipped. */
  readonly reports: readonly CheckReport[];
  /** The switch that skipped the checks (`--no-checks`, `PVESTACK_SKIP_CHECKS=1`), when one did. */
  readonly checksSkippedBy?: string;
  /** Brand: only `prepareEnvironments` makes one. */
  readonly [prepared]: true;
}

export interface PrepareOptions {
  /**
   * `enforce` refuses while an unsuppressed error remains; `report` runs the checks and warns about
   * errors without refusing (for routes that only compare, like `diff`, whose job is to show a
   * dangerous change); `skip` only because the user asked by `skipSwitch`. Required, so every
   * entry point states its choice.
   */
  readonly checks: 'enforce' | 'report' | 'skip';
  /** How a user skips the checks on this route, e.g. `--no-checks`; named in the refusal's hint and the warning. */
  readonly skipSwitch: string;
  /** What the route refuses when an error remains, e.g. `synth wrote nothing`. */
  readonly refusal: string;
  readonly log: PipelineLog;
}

/** An environment argument: a registered name or spec file, or an environment already validated. */
export type EnvironmentSource = string | Environment;

/** Loads (validating) each source; the load → validate stage alone, for routes that only read or stop. */
export function loadEnvironments(sources: readonly EnvironmentSource[]): Environment[] {
  return sources.map((s) => (typeof s === 'string' ? loadEnvironment(s) : s));
}

/**
 * Loads, validates and checks. Throws the loader's `InvalidSpecError` (exit 2) for a bad spec and
 * `CheckFailedError` (exit 1, naming every failing rule) when an unsuppressed error remains.
 */
export function prepareEnvironments(sources: readonly EnvironmentSource[], opts: PrepareOptions): PreparedEnvironments {
  const environments = loadEnvironments(sources);
  const names = environments.map((e) => e.name);
  if (opts.checks === 'skip') {
    opts.log.warn(
      `PREFLIGHT CHECKS SKIPPED (${opts.skipSwitch}) for ${names.join(', ')}: nothing guarantees this output fits the hardware, keeps databases private or protects stateful data. Run \`pvestack check ${names.join(' ')}\` before applying it.`,
    );
    return brand({ environments, reports: [], checksSkippedBy: opts.skipSwitch });
  }
  const reports = environments.map((env) => runChecks(env));
  if (opts.checks === 'report') {
    for (const r of reports.filter((x) => !x.ok)) {
      const errors = r.findings.filter((f) => f.severity === 'error' && !f.suppressed).map((f) => `${f.rule} ${f.path}: ${f.message}`);
      opts.log.warn(`checks ${verdictLine(r)}; synth and deploy refuse it:\n  ${errors.join('\n  ')}`);
    }
    return brand({ environments, reports });
  }
  if (!reports.every((r) => r.ok))
    throw new CheckFailedError(
      reports,
      opts.refusal,
      `Fix the errors (\`pvestack check <env>\` shows hints), suppress an accepted finding with its reason, or use ${opts.skipSwitch} to go ahead anyway.`,
    );
  for (const r of reports) opts.log.info(`checks ${verdictLine(r)}`);
  return brand({ environments, reports });
}

function brand(value: Omit<PreparedEnvironments, typeof prepared>): PreparedEnvironments {
  return value as PreparedEnvironments;
}
