/** The typed error a command raises when checks leave unsuppressed errors (exit code 1). */
import { ExitCode, PvestackError } from '../model';
import { findingJson, reportJson, verdictLine } from './report';
import type { CheckReport } from './types';

export class CheckFailedError extends PvestackError {
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly reports: readonly CheckReport[],
    /** What was refused, e.g. `synth wrote nothing`. */
    readonly consequence: string,
    readonly hint: string,
  ) {
    const failed = reports.filter((r) => !r.ok);
    super(`checks failed for ${failed.map((r) => r.environment).join(', ')}: ${consequence}`);
    this.name = 'CheckFailedError';
  }
  override format(): string {
    const lines = [this.message];
    for (const r of this.reports.filter((x) => !x.ok)) {
      lines.push(`  ${verdictLine(r)}`);
      for (const f of r.findings.filter((x) => x.severity === 'error' && !x.suppressed))
        lines.push(`    ${f.rule}  ${f.location ? `${f.location}: ` : ''}${f.path}: ${f.message}`);
    }
    lines.push(this.hint);
    return lines.join('\n');
  }
  toJSON(): Record<string, unknown> {
    return {
      error: 'CheckFailed',
      message: this.message,
      hint: this.hint,
      environments: this.reports.map((r) => ({
        ...reportJson(r),
        findings: r.findings.filter((f) => f.severity === 'error' && !f.suppressed).map(findingJson),
      })),
    };
  }
}
