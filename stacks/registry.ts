/**
 * Every environment the toolkit knows, by name. Modules are loaded lazily so that `pvestack
 * synth production` does not evaluate the other specs. Extra YAML/TS specs can be added at run
 * time with `--spec <file>`.
 */
import * as path from 'node:path';
import { Environment, loadEnvironmentFile, UsageError, validateEnvironment } from '../model';

const MODULES: Readonly<Record<string, string>> = {
  dev: './dev',
  staging: './staging',
  production: './production',
  'production-as-planned': './production-as-planned',
};

export function environmentNames(): string[] {
  return Object.keys(MODULES);
}

/** Loads and validates one registered environment, or a spec file when given a path. */
export function loadEnvironment(nameOrFile: string): Environment {
  if (/[/\\]|\.(ya?ml|json|ts|js)$/.test(nameOrFile)) return loadEnvironmentFile(nameOrFile);
  const mod = MODULES[nameOrFile];
  if (!mod) {
    throw new UsageError(`unknown environment ${JSON.stringify(nameOrFile)}`, `Known environments: ${environmentNames().join(', ')}; or pass a spec file path.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const spec = (require(mod) as { default: unknown }).default;
  return validateEnvironment(spec, path.join('stacks', `${mod.slice(2)}.ts`));
}
