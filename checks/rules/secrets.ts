/**
 * Secrets appear in a spec by reference only. These rules look for literal secrets in every string
 * of the spec and in the synthesized output, and keep the secret declarations documented.
 */
import type { Environment } from '../../model';
import { secretRefs } from '../../model/validate/references';
import { findSecret, isSecretName, looksRandom } from '../secret-patterns';
import type { Issue, Rule } from '../types';

/** Fields that hold public keys, or provenance, and are never secrets. */
const SKIP = [/^admin\.sshKeys\[\d+\]$/, /^guests\[\d+\]\.hostKeys\[\d+\]$/, /^source$/];

interface StringValue {
  readonly path: string;
  readonly value: string;
  /** The key of the enclosing `env` map, when the value is an environment variable. */
  readonly envVar?: string;
}

const stringCache = new WeakMap<Environment, StringValue[]>();

/** Every string in the environment with its spec path (computed once per environment). */
function strings(env: Environment): StringValue[] {
  const cached = stringCache.get(env);
  if (cached) return cached;
  const out: StringValue[] = [];
  const walk = (value: unknown, path: string, envVar?: string) => {
    if (typeof value === 'string') {
      if (!SKIP.some((re) => re.test(path))) out.push({ path, value, ...(envVar !== undefined ? { envVar } : {}) });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, path.endsWith('.env') || path === 'env' ? k : undefined);
  };
  walk(env, '');
  stringCache.set(env, out);
  return out;
}

const withArticle = (kind: string) => `${/^[AEIOaeio]/.test(kind) ? 'an' : 'a'} ${kind}`;

/** `guests[3].stacks[0].env.X` → the guest's name, for grouping. */
function guestOf(env: Environment, path: string): string | undefined {
  const m = /^guests\[(\d+)\]/.exec(path);
  return m ? env.guests[Number(m[1])]?.name : undefined;
}

export const noLiteralSecrets: Rule = {
  id: 'PVE-SEC-001',
  family: 'secrets',
  severity: 'error',
  title: 'No literal secret in the spec: secrets are referenced by name',
  check: ({ env }) =>
    strings(env).flatMap(({ path, value, envVar }): Issue[] => {
      const match = findSecret(value);
      const named = envVar !== undefined && isSecretName(envVar) && value.length > 0;
      if (!match && !named) return [];
      const guest = guestOf(env, path);
      return [
        {
          path,
          ...(guest ? { guest } : {}),
          message: match
            ? `looks like ${withArticle(match.kind)}: ${JSON.stringify(match.masked)}`
            : `environment variable ${envVar} has a literal value (${value.length} characters)`,
          hint: "Declare it under secrets ({ env: PVESTACK_..., description }) and reference it by name (the stack's secrets list or *Secret field); then rotate the leaked value, it is in git history.",
        },
      ];
    }),
};

export const noRandomEnvValues: Rule = {
  id: 'PVE-SEC-002',
  family: 'secrets',
  severity: 'warning',
  title: 'Environment values do not look like random credentials',
  check: ({ env }) =>
    strings(env)
      .filter((s) => s.envVar !== undefined && !isSecretName(s.envVar) && !findSecret(s.value) && looksRandom(s.value))
      .map(({ path, value, envVar }): Issue => {
        const guest = guestOf(env, path);
        return {
          path,
          ...(guest ? { guest } : {}),
          message: `environment variable ${envVar} holds a ${value.length}-character high-entropy value (not shown)`,
          hint: 'If it is a credential, move it to secrets and reference it by name; if it is an id or a digest, suppress PVE-SEC-002 for this path with that reason.',
        };
      }),
};

export const secretsDocumented: Rule = {
  id: 'PVE-SEC-003',
  family: 'secrets',
  severity: 'warning',
  title: 'Every declared secret says what it is and who rotates it',
  check: ({ env }) =>
    Object.entries(env.secrets)
      .filter(([name, s]) => s.description.trim().length < 10 || s.description.trim().toLowerCase() === name.toLowerCase())
      .map(([name, s]) => ({
        path: `secrets.${name}.description`,
        message: `secret ${name} (${s.env}) is described only as ${JSON.stringify(s.description)}`,
        hint: 'Say what the value is, where it comes from and who rotates it; the next person to rotate it reads this.',
      })),
};

/** Secret names used anywhere in the spec. */
function referencedSecrets(env: Environment): Set<string> {
  const refs = new Set<string>();
  for (const g of env.guests) for (const s of g.stacks) for (const [, name] of secretRefs(s)) refs.add(name);
  for (const b of env.storageBoxes) for (const name of [b.passwordSecret, b.sshKeySecret]) if (name) refs.add(name);
  return refs;
}

export const secretsUsed: Rule = {
  id: 'PVE-SEC-004',
  family: 'secrets',
  severity: 'info',
  title: 'Every declared secret is used',
  check: ({ env }) => {
    const used = referencedSecrets(env);
    return Object.keys(env.secrets)
      .filter((name) => !used.has(name))
      .map((name) => ({
        path: `secrets.${name}`,
        message: `secret ${name} (${env.secrets[name]!.env}) is declared but nothing in ${env.name} refers to it`,
        hint: 'Remove it from this environment, or reference it where it is needed. Shared secret tables are fine: this is information only.',
      }));
  },
};

export const noSecretsInOutput: Rule = {
  id: 'PVE-SEC-005',
  family: 'secrets',
  severity: 'error',
  title: 'No secret-looking value in the synthesized JSON or rendered artifacts',
  check: ({ synthesized }) =>
    // Scan each file whole first: almost every file is clean, and one pass per pattern is cheap.
    (synthesized?.files ?? [])
      .filter((file) => findSecret(file.content))
      .flatMap((file) =>
        file.content.split('\n').flatMap((line, i): Issue[] => {
          const match = findSecret(line);
          if (!match) return [];
          return [
            {
              path: `synthesized:${file.path}:${i + 1}`,
              message: `${file.path} line ${i + 1} contains what looks like ${withArticle(match.kind)}: ${JSON.stringify(match.masked)}`,
              hint: 'Secrets reach guests only through the env files the deployer writes (mode 0600); find the spec value or template that put it there, and rotate it.',
            },
          ];
        }),
      ),
};

export const SECRET_RULES: readonly Rule[] = [noLiteralSecrets, noRandomEnvValues, secretsDocumented, secretsUsed, noSecretsInOutput];
