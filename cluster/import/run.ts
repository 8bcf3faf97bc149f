/**
 * `import` as one call: connect, plan, and render the fragment (and the merged spec when asked).
 */
import * as fs from 'node:fs';
import type { Environment } from '../../model';
import { OperationError, UsageError } from '../../model';
import { ProxmoxClient } from '../client';
import { connectionConfigFrom } from '../config';
import { planImport, type ImportOptions, type ImportPlan } from './plan';
import { mergeImport, renderImportFragment } from './render';

export interface ImportRun {
  readonly plan: ImportPlan;
  /** The YAML fragment. */
  readonly fragment: string;
  /** The merged spec text, when a YAML spec was given to merge into. */
  readonly merged?: string;
}

export interface ImportRunOptions extends ImportOptions {
  /** Where the PROXMOX_VE_* variables come from. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
  /** Merge into the environment's YAML spec and write the result to this file. */
  readonly writeTo?: string;
}

export async function importGuests(env: Environment, opts: ImportRunOptions = {}): Promise<ImportRun> {
  if (opts.writeTo && !/\.ya?ml$/.test(env.source))
    throw new UsageError(
      `--write needs a YAML spec, but ${env.name} comes from ${env.source}`,
      'Run without --write and paste the printed fragment into the TypeScript spec, or keep the environment in a YAML file.',
    );
  const client = new ProxmoxClient(connectionConfigFrom(opts.variables ?? process.env));
  let plan: ImportPlan;
  try {
    plan = await planImport(client, env, opts);
  } finally {
    client.close();
  }
  const fragment = renderImportFragment(plan);
  if (!opts.writeTo) return { plan, fragment };
  let source: string;
  try {
    source = fs.readFileSync(env.source, 'utf8');
  } catch (err) {
    throw new OperationError(`cannot read ${env.source}: ${(err as Error).message}`);
  }
  const merged = mergeImport(source, plan);
  fs.writeFileSync(opts.writeTo, merged);
  return { plan, fragment, merged };
}
