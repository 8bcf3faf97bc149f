/**
 * The cdktf app named in cdktf.json: `cdktf synth` / `cdktf deploy <env>` run this file. It runs
 * the same pipeline as `pvestack synth` (load → validate → check → synthesize), so an environment
 * with a check error makes `cdktf synth` and `cdktf deploy` fail before Terraform sees anything.
 *
 * Environment variables:
 * - `PVESTACK_ENVIRONMENTS`: comma-separated environment names or spec files to synthesize
 *   (default: every registered environment).
 * - `PVESTACK_SKIP_CHECKS=1`: synthesize even when the checks find errors; prints a loud warning.
 */
import { prepareEnvironments, synthesizeApp } from '../pipeline';
import { environmentNames } from '../stacks/registry';
import { formatError } from './output';

const SKIP_SWITCH = 'PVESTACK_SKIP_CHECKS=1';

try {
  const selected = (process.env.PVESTACK_ENVIRONMENTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const prepared = prepareEnvironments(selected.length ? selected : environmentNames(), {
    checks: process.env.PVESTACK_SKIP_CHECKS === '1' ? 'skip' : 'enforce',
    skipSwitch: SKIP_SWITCH,
    refusal: 'cdktf synth wrote nothing',
    // stdout belongs to cdktf; everything we say goes to stderr, which the cdktf CLI shows.
    log: { info: (line) => process.stderr.write(`${line}\n`), warn: (line) => process.stderr.write(`warning: ${line}\n`) },
  });
  synthesizeApp(prepared, { outdir: process.env.CDKTF_OUTDIR });
} catch (err) {
  process.stderr.write(`${formatError(err)}\n`);
  process.exit(typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1);
}
