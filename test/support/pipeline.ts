/** The pipeline as tests call it: the same stages as every entry point, with a silent log. */
import { prepareEnvironments, type EnvironmentSource, type PreparedEnvironments } from '../../pipeline';

/** A log that keeps what it was told, for assertions. */
export function recordingLog(): { info: (l: string) => void; warn: (l: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { info: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`), lines };
}

/** Load → validate → check (enforced unless a test says `skip`, as a user would with --no-checks). */
export function prepared(sources: readonly EnvironmentSource[], checks: 'enforce' | 'skip' = 'enforce'): PreparedEnvironments {
  return prepareEnvironments(sources, { checks, skipSwitch: '--no-checks', refusal: 'the test synthesized nothing', log: recordingLog() });
}
