/**
 * `docker-compose -f FILE config -q`, Compose's own validation of a file, as one process or for
 * many files at once (see python-cli.ts: with Compose v1 every file still goes through the
 * command's entry point, from one interpreter).
 */
import { runMany, runOnce } from './python-cli';

const argv = (file: string) => ['-f', file, 'config', '-q'];

/** `docker-compose -f FILE config -q` as one process: undefined when valid, else the tool's complaint. */
export async function composeConfig(file: string): Promise<string | undefined> {
  const r = await runOnce('docker-compose', argv(file));
  return r.code === 0 ? undefined : r.output;
}

/** Every file's verdict, by file: undefined when `config -q` accepts it, else its output. */
export async function composeConfigAll(files: readonly string[]): Promise<Map<string, string | undefined>> {
  const results = await runMany('docker-compose', files.map(argv));
  return new Map(files.map((f, i) => [f, results[i]!.code === 0 ? undefined : results[i]!.output || `exit ${results[i]!.code}`]));
}
