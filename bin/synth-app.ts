/**
 * In-process synthesis: the same construct tree `cdktf synth` builds through `bin/app.ts`, without
 * a child process or the cdktf CLI. Both paths call `synthesizeApp`, so their output is identical.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { Environment } from '../model';
import { PlatformStack } from '../stacks/platform-stack';
import { environmentNames, loadEnvironment } from '../stacks/registry';
import { writeArtifacts } from './render-artifacts';

export interface SynthAppOptions {
  /** @default process.env.CDKTF_OUTDIR ?? 'cdktf.out' */
  readonly outdir?: string;
  /** Environments to synthesize (registered names or spec files). @default every registered environment */
  readonly environments?: readonly string[];
  /** Already-loaded environments; used instead of `environments` when given. */
  readonly loaded?: readonly Environment[];
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

export function synthesizeApp(opts: SynthAppOptions = {}): SynthAppResult {
  const outdir = path.resolve(opts.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const envs = opts.loaded ?? (opts.environments ?? environmentNames()).map(loadEnvironment);
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const stacks = envs.map((env) => new PlatformStack(app, { env }));
  app.synth();
  if (opts.artifacts !== false) for (const env of envs) writeArtifacts(outdir, env);
  return {
    outdir,
    stacks: stacks.map((stack) => {
      const dir = path.join(outdir, 'stacks', stack.env.name);
      return { env: stack.env, stack, dir, file: path.join(dir, 'cdk.tf.json') };
    }),
  };
}
