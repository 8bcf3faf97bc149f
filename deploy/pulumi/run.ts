/**
 * `pvestack deploy --engine pulumi`: runs the Pulumi program through the automation API
 * (`LocalWorkspace`, inline program, stack `<env>`, local file backend under `.pvestack/pulumi`
 * unless `PULUMI_BACKEND_URL` says otherwise). Needs the `pulumi` CLI; without it, a clear error.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { OperationError } from '../../model';
import type { HostTarget } from '../host-deploy';
import { definePulumiResources } from './program';

/** True when the `pulumi` CLI is on PATH. */
export function hasPulumiCli(): boolean {
  return spawnSync('pulumi', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Runs `pulumi up` for the targets; returns the summary of the update. */
export async function runPulumiDeploy(
  envName: string,
  targets: readonly HostTarget[],
  secrets: ReadonlyMap<string, string>,
  opts: { log: (line: string) => void },
): Promise<Record<string, unknown>> {
  if (!hasPulumiCli()) {
    throw new OperationError(
      '--engine pulumi needs the pulumi CLI, which is not installed',
      "Install it (curl -fsSL https://get.pulumi.com | sh, or brew install pulumi) and make sure 'pulumi version' works; or deploy with the default --engine ssh",
    );
  }
  const { LocalWorkspace } = await import('@pulumi/pulumi/automation');
  const backend = process.env.PULUMI_BACKEND_URL ?? `file://${path.resolve('.pvestack', 'pulumi')}`;
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: envName, projectName: 'pvestack-apps', program: async () => void definePulumiResources(targets, secrets) },
    {
      envVars: { PULUMI_BACKEND_URL: backend, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? '' },
      projectSettings: { name: 'pvestack-apps', runtime: 'nodejs', backend: { url: backend } },
    },
  );
  const result = await stack.up({ onOutput: (out) => out.split('\n').filter(Boolean).forEach(opts.log) });
  return { engine: 'pulumi', stack: envName, result: result.summary.result, resourceChanges: result.summary.resourceChanges ?? {} };
}
