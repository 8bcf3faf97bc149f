/**
 * Secret values for a deploy: read from the deployer's environment (or an env file the user names),
 * never from the repository, and masked (`***`) in every line the deployer prints or raises.
 * Resolving and rendering the values is `templates/compose/env-file.ts`'s job (one format for
 * `pvestack up` and deploys); this module reads `--env-file` and masks.
 */
import type { SecretEnvFile } from '../templates/artifacts';

/** The mask that replaces every secret value in output. */
export const MASK = '***';

/** Parses `KEY=value` lines (`#` comments, blank lines, optional `export `, optional matching quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

/** The same file with values masked, for `--dry-run`. */
export function maskedSecretEnvFile(file: SecretEnvFile): string {
  return file.entries.map((e) => `${e.variable}=${MASK}\n`).join('');
}

/** Replaces every known secret value in a text with {@link MASK}. */
export class Masker {
  private readonly values: string[];
  constructor(values: Iterable<string>) {
    // Longest first, so a value containing another is masked whole.
    this.values = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  }
  mask(text: string): string {
    let out = text;
    for (const v of this.values) out = out.split(v).join(MASK);
    return out;
  }
}
