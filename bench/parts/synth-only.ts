/**
 * The benchmark times validation, checks and synthesis separately, so its synth step goes through
 * the pipeline with the checks skipped (silently: the bench measures them on their own).
 */
import type { Environment } from '../../model';
import { prepareEnvironments, type PreparedEnvironments } from '../../pipeline';

/** A validated environment as the pipeline's synthesize stage takes it, without running the checks. */
export function synthOnly(env: Environment): PreparedEnvironments {
  return prepareEnvironments([env], { checks: 'skip', skipSwitch: 'the benchmark', refusal: 'nothing', log: { info: () => {}, warn: () => {} } });
}
