/**
 * The last stage of the pipeline: prepared environments → construct tree → `cdk.tf.json`, plus the
 * rendered stack artifacts beside it. `cdktf synth` (through `bin/app.ts`) and `pvestack synth`
 * both call `synthesizeApp`, so their output is identical; it takes only `PreparedEnvironments`,
 * so nothing synthesizes an environment the checks have not seen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { Environment } from '../model';
import { PlatformStack } from '../stacks/platform-stack';
import { writeArtifacts } from './artifacts';
import { claimOutputDirs } from './output-owner';
import type { PreparedEnvironments } from './prepare';
import { withoutTokenStackTraces } from './token-stack-traces';

export interface SynthAppOptions {
  /** @default process.env.CDKTF_OUTDIR ?? 'cdktf.out' */
  readonly outdir?: string;
  /**
   * Also render every guest's stack artifacts into `stacks/<env>/artifacts/`, so that
   * `cdktf synth` and `pvestack synth` both leave the files a deploy ships next to the JSON.
   * @default true
   */
  readonly artifacts?: boolean;
}

export interface SynthesizedStack {
  readonly env: Environment;
  readonly stack: PlatformStack;
  /** Directory holding cdk.tf.json (and artifacts/). */
  readonly dir: string;
  readonly file: string;
}

export interface SynthAppResult {
  readonly outdir: string;
  readonly stacks: readonly SynthesizedStack[];
}

/** Synthesizes every prepared environment into one cdktf app under `outdir`. */
export function synthesizeApp(prepared: PreparedEnvironments, opts: SynthAppOptions = {}): SynthAppResult {
  const outdir = path.resolve(opts.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const envs = prepared.environments;
  fs.mkdirSync(outdir, { recursive: true });
  claimOutputDirs(outdir, envs);
  const app = new App({ outdir });
  const stacks = withoutTokenStackTraces(() => {
    const built = envs.map((env) => new PlatformStack(app, { env }));
    app.synth();
    return built;
  });
  if (opts.artifacts !== false) for (const env of envs) writeArtifacts(outdir, env);
  return {
    outdir,
    stacks: stacks.map((stack) => {
      const dir = path.join(outdir, 'stacks', stack.env.name);
      return { env: stack.env, stack, dir, file: path.join(dir, 'cdk.tf.json') };
    }),
  };
}
