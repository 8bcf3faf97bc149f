/**
 * cdktf's `Testing.app()` makes a new temporary directory (and a `stacks/` folder in it) for every
 * app and never removes it: a full test run left several hundred behind in the machine's temporary
 * directory. Construct tests render in memory (`Testing.synth` writes nothing), so every app of a
 * test process shares one output directory, removed when the process exits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type App, Testing } from 'cdktf';

let shared: string | undefined;

/** `Testing.app()` with one shared, self-removing output directory per test process. */
export function testingApp(): App {
  if (!shared) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-cdktf-app-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    shared = dir;
  }
  return Testing.app({ outdir: shared });
}
