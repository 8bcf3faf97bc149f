/**
 * Every directory the benchmark writes lives under one root that is removed once, when the whole
 * run is over, never between measurements.
 *
 * Why: on ext4 without a journal (the machines this project is measured on), allocating an inode
 * skips every inode of the block group freed in the last one to six minutes, one buffer lookup
 * each (`recently_deleted()` in the kernel's fs/ext4/ialloc.c). Deleting an output tree of a few
 * thousand files and writing the next one into the same place therefore makes every mkdir and open
 * of the next run slower, by more the more was deleted: a 3 000-directory write took 0.18 s in a
 * quiet directory and 1.1, 1.6, 2.4 s on three delete-and-rewrite rounds, and the 1 000-guest
 * synthesis measured 0.7 s of pipeline and up to 5 s of mkdir/open system time. Measuring after
 * deleting the previous size's output measured the file system's recent history, not pvestack. A
 * user's `pvestack synth` rewrites only changed files (pipeline/artifacts.ts) and deletes nothing
 * it still renders, so no measurement here deletes anything before the end either.
 *
 * Child processes of the bench find the root in PVESTACK_BENCH_SCRATCH.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ENV = 'PVESTACK_BENCH_SCRATCH';

/**
 * The run's scratch root, made on first use. A part that starts child processes calls it first, so
 * that they inherit the variable and write under this root instead of making roots of their own
 * that nothing removes.
 */
export function scratchRoot(): string {
  const given = process.env[ENV];
  if (given && fs.existsSync(given)) return given;
  const made = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-bench-'));
  process.env[ENV] = made;
  return made;
}

/** A new, empty directory under the run's scratch root; it stays until `removeScratch()`. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(scratchRoot(), prefix));
}

/** Removes the scratch root (and every directory `scratchDir` made): the bench's last step. */
export function removeScratch(): void {
  const given = process.env[ENV];
  if (given) fs.rmSync(given, { recursive: true, force: true });
}
