/**
 * What a leaked secret looks like. Used on the spec's string values, on synthesized Terraform JSON
 * and on rendered artifacts. Patterns are deliberately specific (known token prefixes, private
 * key armour, credentials in URLs, `password=` assignments) so that findings are worth reading;
 * randomness alone is only judged in environment values, where a literal secret is likeliest.
 */

export interface SecretMatch {
  /** What was recognised, e.g. `GitHub token`. */
  readonly kind: string;
  /** The matched text's harmless prefix (token prefix, URL scheme and user, key name) and `…`. */
  readonly masked: string;
}

/**
 * `keep` matches the part of a match that is safe to print: a token's well-known prefix, a URL's
 * scheme and user, an assignment's key. Nothing after it is shown, not even a last character.
 */
const PATTERNS: readonly { kind: string; re: RegExp; keep: RegExp }[] = [
  { kind: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, keep: /^.*$/ },
  { kind: 'GitHub token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/, keep: /^(?:gh[pousr]_|github_pat_)/ },
  { kind: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/, keep: /^glpat-/ },
  { kind: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{30,}\b/, keep: /^hf_/ },
  { kind: 'OpenAI-style API key', re: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/, keep: /^sk-(?:proj-|ant-)?/ },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, keep: /^(?:AKIA|ASIA)/ },
  { kind: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, keep: /^xox[abposr]-/ },
  { kind: 'JSON web token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, keep: /^eyJ/ },
  { kind: 'password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/${}]{3,}@/i, keep: /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:/i },
  // `password=hunter2`, `token: abc...`; values that are references (`${...}`, `$VAR`, `<...>`) are fine.
  {
    kind: 'password assignment',
    re: /\b(?:pass(?:word|wd)?|secret|token|api[_-]?key)\s*[=:]\s*(?!\$|<|\{\{|\*+\b|["']?(?:true|false|null|none|yes|no|required|optional)\b)["']?[^\s"'&;,}]{4,}/i,
    keep: /^[^=:]*[=:]\s*/,
  },
];

/** The printable part of a match followed by `…`; the secret part is never shown. */
function mask(text: string, keep: RegExp): string {
  const shown = keep.exec(text)?.[0] ?? '';
  if (shown === text) return shown;
  // A URL keeps its `@` so the reader sees where the password sat: `postgres://app:…@`.
  return `${shown}…${text.endsWith('@') && shown.includes('://') ? '@' : ''}`;
}

/** Something every pattern above needs; one cheap test rules out almost every string. */
const PREFILTER = /PRIVATE KEY|gh[pousr]_|github_pat_|glpat-|hf_|sk-|AKIA|ASIA|xox|eyJ|:\/\/|pass|secret|token|api[_-]?key/i;

/** The first secret-looking thing in `text`, or undefined. */
export function findSecret(text: string): SecretMatch | undefined {
  if (!PREFILTER.test(text)) return undefined;
  for (const { kind, re, keep } of PATTERNS) {
    const m = re.exec(text);
    if (m) return { kind, masked: mask(m[0], keep) };
  }
  return undefined;
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log2(n / text.length);
  return h;
}

/**
 * Whether an environment value looks like a random credential: one token of 20+ characters,
 * mixing letters and digits, with high entropy, and not a path, URL, image or version.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 20 || /[\s/:@]/.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  return entropy(value) >= 4.2;
}

/** Environment variable names whose value is a credential. */
export function isSecretName(name: string): boolean {
  return /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i.test(name) || /^(PASSWORD|SECRET|TOKEN)/i.test(name);
}
