/**
 * Bad input: `pvestack check` on a 5 MB YAML spec of unknown keys, as a whole process. The
 * validator must answer in time linear in the file and print the first 50 problems and a count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '../scratch';
import { junkKeysYaml } from '../generate-junk';
import { ensureCompiledCli, measureProcess, type ProcessMeasure } from './process';

export interface JunkResult {
  readonly bytes: number;
  readonly yaml: ProcessMeasure;
}

export async function junkSpec(root: string, runs: number, log: (s: string) => void): Promise<JunkResult> {
  ensureCompiledCli(root, log);
  const dir = scratchDir('junk-');
  const file = path.join(dir, 'junk.yaml');
  const text = junkKeysYaml(5_000_000);
  fs.writeFileSync(file, text);
  // Exit 2: an invalid spec is a user error.
  const yaml = await measureProcess(
    'pvestack check junk.yaml (5 MB)',
    'node',
    [path.join('bin', 'pvestack.js'), 'check', file],
    runs,
    { cwd: root, expectExit: 2 },
    log,
  );
  return { bytes: Buffer.byteLength(text), yaml };
}
