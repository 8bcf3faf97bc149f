/**
 * Reading a synthesized stack directory (`cdktf.out/stacks/<env>/`) for the checks that look at
 * output: `cdk.tf.json` and every rendered artifact under it. The engine loads it once and hands
 * the parsed content to the (pure) rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationError } from '../model';

export interface SynthesizedFile {
  /** Path relative to the stack directory, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

export interface SynthesizedOutput {
  /** The stack directory it was read from, as given. */
  readonly dir: string;
  /** Parsed `cdk.tf.json`, when present. */
  readonly terraform?: TerraformJson;
  /** Every text file under the directory (including `cdk.tf.json`), sorted by path. */
  readonly files: readonly SynthesizedFile[];
}

/** The parts of Terraform JSON the checks read. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>>;
}

/** Files larger than this are skipped by the scan (model weights do not live in artifacts). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Reads a synthesized stack directory. Throws OperationError when it does not exist. */
export function loadSynthesized(dir: string): SynthesizedOutput {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new OperationError(`synthesized stack directory ${dir} does not exist`, 'Run `pvestack synth <env>` first, or point at cdktf.out/stacks/<env>.');
  const files: SynthesizedFile[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const childAbs = path.join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(childAbs, childRel);
      else if (entry.isFile() && fs.statSync(childAbs).size <= MAX_FILE_BYTES) {
        const buf = fs.readFileSync(childAbs);
        if (!buf.includes(0)) files.push({ path: childRel, content: buf.toString('utf8') });
      }
    }
  };
  walk(dir, '');
  const main = files.find((f) => f.path === 'cdk.tf.json');
  let terraform: TerraformJson | undefined;
  if (main) {
    try {
      terraform = JSON.parse(main.content) as TerraformJson;
    } catch (err) {
      throw new OperationError(`${path.join(dir, 'cdk.tf.json')} is not valid JSON: ${(err as Error).message}`, 'Synthesize it again.');
    }
  }
  return { dir, ...(terraform ? { terraform } : {}), files };
}
