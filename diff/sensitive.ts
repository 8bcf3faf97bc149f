/**
 * Masking. A value is masked when the provider schema marks its attribute `sensitive`, when the
 * attribute or key name says it holds a secret, or when the value itself looks like one (a PEM
 * block, a well-known token prefix). Applied while the diff is built, so no view can leak it.
 */
import schemaJson from '../providers/proxmox/schema.json';
import { normalizePath } from './values';

interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, { readonly sensitive?: boolean }>>;
  readonly block_types?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

interface ProviderSchema {
  readonly provider_schemas: Readonly<Record<string, { readonly resource_schemas: Readonly<Record<string, { readonly block: SchemaBlock }>> }>>;
}

function sensitivePaths(block: SchemaBlock, prefix: string, out: Set<string>): Set<string> {
  for (const [name, attr] of Object.entries(block.attributes ?? {})) if (attr.sensitive) out.add(prefix + name);
  for (const [name, nested] of Object.entries(block.block_types ?? {})) sensitivePaths(nested.block, `${prefix}${name}.`, out);
  return out;
}

/** Resource type → attribute paths (dotted, no indexes) the schema marks sensitive. */
export function sensitiveAttributes(schema: ProviderSchema = schemaJson as unknown as ProviderSchema): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const provider of Object.values(schema.provider_schemas)) {
    for (const [type, resource] of Object.entries(provider.resource_schemas)) result.set(type, sensitivePaths(resource.block, '', new Set()));
  }
  return result;
}

const SENSITIVE = sensitiveAttributes();

/** Names that hold secrets: `password`, `DB_PASSWORD`, `api_key`, `HF_TOKEN`, `private_key`, `secret`. */
export const SECRET_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential|auth[-_]?key|access[-_]?key|client[-_]?secret)$/i;

/** Values that are secrets whatever their name. */
const SECRET_VALUE = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(ghp|gho|ghs|github_pat|hf|sk|xox[bap]|glpat)[-_][A-Za-z0-9_]{16,}/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/,
];

/** Whether a value looks like a secret on its own. */
export function looksSecret(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE.some((re) => re.test(value));
}

/** Whether an attribute of a resource type must be masked. */
export function isSensitiveAttribute(type: string, path: string, value?: unknown): boolean {
  const normalized = normalizePath(path);
  const leaf = normalized.split('.').pop() ?? normalized;
  if (SENSITIVE.get(type)?.has(normalized)) return true;
  if (SECRET_NAME.test(leaf) && !/_(file|secret)_?id$|_id$/.test(leaf)) return true;
  return looksSecret(value);
}

/**
 * Masks secret-looking assignments inside a line of rendered text (`password: x`, `TOKEN=x`,
 * `requirepass x`, URLs with credentials), keeping the key so a reader sees what changed.
 */
export function maskLine(line: string): string {
  if (SECRET_VALUE.some((re) => re.test(line))) {
    const key = /^(\s*[-+ ]?\s*[\w.-]+\s*[:=]\s*)/.exec(line);
    return key ? `${key[1]}(masked)` : '(masked line)';
  }
  const assignment = /^(\s*[-+ ]?\s*"?([\w.-]+)"?\s*[:=]\s*|\s*[-+ ]?\s*(requirepass|masterauth)\s+)(.+)$/.exec(line);
  if (assignment) {
    const name = assignment[2] ?? assignment[3] ?? '';
    const value = assignment[4]!.trim();
    const reference = /^\$\{?[A-Z_][A-Z0-9_]*\}?$|^\(masked\)$|^["']?$|^\{\{.*\}\}$/.test(value);
    if ((SECRET_NAME.test(name) || /^(requirepass|masterauth)$/.test(name)) && !reference) return `${assignment[1]}(masked)`;
  }
  return line;
}
