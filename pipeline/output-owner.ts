/**
 * Each `<out>/stacks/<env>/` directory belongs to one environment source. The first synth or
 * render records which spec wrote it; a different spec whose `name` is the same (a copy of
 * production.yaml that still says `name: production`) is refused instead of silently replacing
 * the other environment's Terraform JSON and artifacts, which a later `cdktf deploy` would apply.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, type Environment } from '../model';
import { registeredSource } from '../stacks/registry';

/** The record beside cdk.tf.json; a dotfile, so it is not taken for an artifact. */
export const OWNER_FILE = '.pvestack-owner.json';

interface OwnerRecord {
  readonly environment: string;
  /** Stable identity of the spec: `registered:<name>` or `file:<path relative to the output directory>`. */
  readonly owner: string;
  /** The source as messages name it (`stacks/production.ts`, `envs/prod.yaml`). */
  readonly source: string;
}

/**
 * The same spec gives the same identity from any working directory, and after the repository
 * (spec and output together) moves: a file is named relative to the output directory.
 */
export function ownerOf(env: Environment, outdir: string): string {
  if (registeredSource(env.name) === env.source) return `registered:${env.name}`;
  const abs = path.resolve(env.source);
  if (!fs.existsSync(abs)) return `source:${env.source}`;
  const out = fs.existsSync(outdir) ? fs.realpathSync(outdir) : path.resolve(outdir);
  return `file:${path.relative(out, fs.realpathSync(abs)).split(path.sep).join('/')}`;
}

function stackDir(outdir: string, env: Environment): string {
  return path.join(outdir, 'stacks', env.name);
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/**
 * Throws a UsageError (nothing written yet) when two of `envs` share a name, or when an output
 * directory was written from another source; otherwise records each environment as its owner.
 */
export function claimOutputDirs(outdir: string, envs: readonly Environment[]): void {
  const seen = new Map<string, Environment>();
  for (const env of envs) {
    const other = seen.get(env.name);
    if (other && ownerOf(other, outdir) !== ownerOf(env, outdir))
      throw new UsageError(
        `${other.source} and ${env.source} both name their environment "${env.name}", so both would write ${path.relative(process.cwd(), stackDir(outdir, env)) || '.'}`,
        'Give one of them another name: (the output directory is named after it)',
      );
    seen.set(env.name, env);
  }
  for (const env of envs) {
    const dir = stackDir(outdir, env);
    const recorded = readOwner(dir);
    if (recorded && recorded.owner !== ownerOf(env, outdir))
      throw new UsageError(
        `${path.relative(process.cwd(), dir) || dir} holds environment "${env.name}" synthesized from ${recorded.source}; ${env.source} also names its environment "${env.name}" and would overwrite it`,
        `Give ${env.source} its own name:, or write it elsewhere with --out <dir>; delete that directory only if ${recorded.source} is gone for good`,
      );
  }
  for (const env of envs) {
    const dir = stackDir(outdir, env);
    fs.mkdirSync(dir, { recursive: true });
    const record: OwnerRecord = { environment: env.name, owner: ownerOf(env, outdir), source: env.source };
    fs.writeFileSync(path.join(dir, OWNER_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }
}
