/**
 * The cdktf app the benchmark hands to `cdktf synth --app`: the same `synthesizeApp` as
 * `bin/app.ts`, restricted to production so both sides of the comparison synthesize the same stack.
 */
import { prepareEnvironments, synthesizeApp } from '../pipeline';

const log = { info: () => {}, warn: (line: string) => process.stderr.write(`warning: ${line}\n`) };
synthesizeApp(prepareEnvironments(['production'], { checks: 'enforce', skipSwitch: '--no-checks', refusal: 'the benchmark app wrote nothing', log }), {
  outdir: process.env.CDKTF_OUTDIR,
});
