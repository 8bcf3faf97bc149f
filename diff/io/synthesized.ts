/**
 * Reads a synthesized environment back from disk: `stacks/<env>/cdk.tf.json`, the rendered
 * artifact tree under `stacks/<env>/artifacts/` (compared as text) and `compose-facts.json`, the
 * typed facts of the compose services the writer keeps beside them (compared as values, so no
 * YAML is parsed back). (I/O side of the diff; the engine stays pure.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComposeFacts } from '../../templates/compose/service-facts';
import type { ArtifactTree } from '../artifacts';
import type { TerraformJson } from '../plan';

/** Every regular file under `dir`, keyed by its path relative to `dir` with `/` separators. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const childAbs = path.join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(childAbs, childRel);
      else if (entry.isFile()) out.set(childRel, fs.readFileSync(childAbs, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

/** The synthesized state of one environment in an output directory; empty parts when absent. */
export function readSynthesized(outdir: string, environment: string): { terraform?: TerraformJson; artifacts: ArtifactTree; composeFacts?: ComposeFacts } {
  const dir = path.join(outdir, 'stacks', environment);
  const file = path.join(dir, 'cdk.tf.json');
  const facts = path.join(dir, 'compose-facts.json');
  return {
    ...(fs.existsSync(file) ? { terraform: JSON.parse(fs.readFileSync(file, 'utf8')) as TerraformJson } : {}),
    artifacts: readTree(path.join(dir, 'artifacts')),
    ...(fs.existsSync(facts) ? { composeFacts: JSON.parse(fs.readFileSync(facts, 'utf8')) as ComposeFacts } : {}),
  };
}
