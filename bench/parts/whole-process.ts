/**
 * A generated environment through the whole pipeline in one process, as a user runs it:
 * `pvestack validate --no-terraform <spec>.json` loads and validates the spec, runs the checks,
 * synthesizes (Terraform JSON and every artifact) and validates the JSON against the provider
 * schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '../scratch';
import { generateEnvironment } from '../generate-environment';
import { ensureCompiledCli, measureProcess, type ProcessMeasure } from './process';

export interface WholeProcessResult {
  readonly guests: number;
  readonly fresh: ProcessMeasure;
}

export async function wholeProcess(root: string, guests: number, runs: number, log: (s: string) => void): Promise<WholeProcessResult> {
  ensureCompiledCli(root, log);
  const dir = scratchDir('whole-');
  const spec = path.join(dir, `bench-${guests}.json`);
  fs.writeFileSync(spec, JSON.stringify(generateEnvironment(guests), null, 1));
  const out = path.join(dir, 'out');
  const args = [path.join('bin', 'pvestack.js'), '--quiet', '--out', out, 'validate', '--no-terraform', spec];
  // Each run writes into the output of the previous one, as a user re-running it does.
  const fresh = await measureProcess(
    `pvestack validate ${guests}-guest spec`,
    'node',
    args,
    runs,
    { cwd: root, env: { ...process.env, CHECKPOINT_DISABLE: '1' } },
    log,
  );
  return { guests, fresh };
}
