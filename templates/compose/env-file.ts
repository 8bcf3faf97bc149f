/**
 * Secret env files: the `.env.example` template `pvestack render` writes (variable names, never
 * values) and the real file a deployer writes at deploy time from values it was handed. Both are
 * pure; only executors read the process environment and write files (mode 0600).
 */
import type { Environment } from '../../model';
import { UsageError } from '../../model';
import type { SecretEnvFile } from '../artifacts';

/** `secrets/web.env` → `secrets/web.env.example`. */
export function envExamplePath(file: SecretEnvFile): string {
  return `${file.path}.example`;
}

/** The template: one `NAME=` line per variable with the secret and env var it comes from. */
export function renderEnvExample(env: Environment, file: SecretEnvFile): string {
  const lines = [
    `# ${file.path}: written by the deployer at deploy time (mode 0600); never commit values.`,
    '# Each variable takes its value from the deployer environment variable named below.',
  ];
  for (const e of file.entries) {
    lines.push(`# ${e.variable} <- secret ${JSON.stringify(e.secret)} (${env.secrets[e.secret]?.env ?? 'undeclared'})`);
    lines.push(`${e.variable}=`);
  }
  return `${lines.join('\n')}\n`;
}

/** The environment variable a secret's value is read from; a typed error names it when missing. */
export function secretSourceEnv(env: Environment, secret: string): string {
  const spec = env.secrets[secret];
  if (!spec) throw new UsageError(`secret ${JSON.stringify(secret)} is not declared in environment ${env.name}`, 'Declare it under secrets in the spec.');
  return spec.env;
}

/**
 * Looks up every secret a file needs in `values` (usually `process.env`) and fails with one
 * error listing every missing variable, so a user fixes them in one go.
 */
export function resolveSecretValues(
  env: Environment,
  files: readonly SecretEnvFile[],
  values: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const out = new Map<string, string>();
  const missing = new Set<string>();
  for (const f of files)
    for (const e of f.entries) {
      const source = secretSourceEnv(env, e.secret);
      const value = values[source];
      if (value === undefined || value === '') missing.add(`${source} (secret ${JSON.stringify(e.secret)})`);
      else out.set(e.secret, value);
    }
  if (missing.size) {
    throw new UsageError(
      `missing secret value${missing.size === 1 ? '' : 's'}: ${[...missing].join(', ')}`,
      `Export ${missing.size === 1 ? 'it' : 'them'} in the environment that runs pvestack (never in the spec).`,
    );
  }
  return out;
}

/**
 * The env file's text. Values are single-quoted unless they are plain, so `$`, spaces and `#`
 * survive both docker-compose 1.29 (python-dotenv) and compose v2 (which do not interpolate
 * inside single quotes); newlines cannot be represented and are rejected.
 */
export function renderSecretEnvFile(file: SecretEnvFile, secretValues: ReadonlyMap<string, string>): string {
  return (
    file.entries
      .map((e) => {
        const value = secretValues.get(e.secret);
        if (value === undefined)
          throw new UsageError(`no value for secret ${JSON.stringify(e.secret)}`, 'Resolve the secret values with resolveSecretValues() first.');
        if (/[\r\n]/.test(value))
          throw new UsageError(
            `secret ${JSON.stringify(e.secret)} contains a line break`,
            'Env files hold one line per variable; store the value without line breaks (e.g. base64).',
          );
        return `${e.variable}=${/^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`}`;
      })
      .join('\n') + '\n'
  );
}
