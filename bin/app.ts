/**
 * The cdktf app named in cdktf.json: `cdktf synth` / `cdktf deploy <env>` run this file. It
 * registers every environment, exactly as `pvestack synth` does in-process.
 */
import { synthesizeApp } from './synth-app';
import { formatError } from './output';

try {
  synthesizeApp({ outdir: process.env.CDKTF_OUTDIR });
} catch (err) {
  process.stderr.write(`${formatError(err)}\n`);
  process.exit(typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1);
}
