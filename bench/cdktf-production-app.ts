/**
 * The cdktf app the benchmark hands to `cdktf synth --app`: the same `synthesizeApp` as
 * `bin/app.ts`, restricted to production so both sides of the comparison synthesize the same stack.
 */
import { synthesizeApp } from '../bin/synth-app';

synthesizeApp({ outdir: process.env.CDKTF_OUTDIR, environments: ['production'] });
