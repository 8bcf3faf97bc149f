/**
 * Secret values for a deploy: read from the deployer's environment (or an env file the user names),
 * never from the repository, and masked (`***`) in every line the deployer prints or raises.
 * Resolving and rendering the values is `templates/compose/env-file.ts`'s job (one format for
 * `pvestack up` and deploys); this module reads `--env-file` and masks.
 */
import { UsageError } from '../model';
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

/**
 * Shortest secret value a deploy accepts. Masking replaces every occurrence of a value in output;
 * a value like `1` or `false` occurs everywhere, so masking it would garble every line (and such a
 * value is no secret). Refused before any host is touched.
 */
export const MIN_SECRET_LENGTH = 8;

/** Refuses secret values shorter than {@link MIN_SECRET_LENGTH}, naming the secrets (never the values). */
export function checkSecretValues(values: ReadonlyMap<string, string>): void {
  const short = [...values].filter(([, v]) => v.length < MIN_SECRET_LENGTH).map(([name]) => name);
  if (short.length) {
    throw new UsageError(
      `secret value${short.length === 1 ? '' : 's'} too short: ${short.map((n) => JSON.stringify(n)).join(', ')} (fewer than ${MIN_SECRET_LENGTH} characters)`,
      'Use a generated value (e.g. openssl rand -hex 16): short values are guessable and cannot be masked in output',
    );
  }
}

/**
 * Replaces every known secret value with {@link MASK}: in a line of text ({@link mask}), or in each
 * string of a value meant for JSON ({@link maskDeep}), so masking never changes JSON structure
 * whatever the value (`{`, `"`, `true`, `***`).
 */
export class Masker {
  private readonly values: string[];
  constructor(values: Iterable<string>) {
    // Longest first, so a value containing another is masked whole.
    this.values = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  }
  /** Masks a text line by line (a value never spans lines: env files cannot hold line breaks). */
  mask(text: string): string {
    if (this.values.length === 0) return text;
    return text
      .split('\n')
      .map((line) => {
        let out = line;
        for (const v of this.values) out = out.split(v).join(MASK);
        return out;
      })
      .join('\n');
  }
  /** Masks every string (keys included) of a JSON-shaped value; numbers, booleans and structure stay. */
  maskDeep<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const src = typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
        if (src !== v) return walk(src);
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [this.mask(k), walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  }
}
