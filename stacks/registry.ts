/**
 * Every environment the toolkit knows, by name. The spec modules are imported statically (building
 * a spec object is cheap; only `loadEnvironment` validates it), because a runtime `require('./dev')`
 * cannot load TypeScript under vitest's module runner. Extra YAML/TS specs can be loaded by path.
 */
import * as path from 'node:path';
import { Environment, loadEnvironmentFile, UsageError, validateEnvironment } from '../model';
import dev from './dev';
import production from './production';
import productionAsPlanned from './production-as-planned';
import staging from './staging';
import chat from './examples/chat';
import chatAsPlanned from './examples/chat-as-planned';
import lab from './examples/lab';
import quiz from './examples/quiz';

const MODULES: Readonly<Record<string, string>> = {
  dev: './dev',
  staging: './staging',
  production: './production',
  'production-as-planned': './production-as-planned',
  lab: './examples/lab',
  chat: './examples/chat',
  'chat-as-planned': './examples/chat-as-planned',
  quiz: './examples/quiz',
};

const SPECS: Readonly<Record<string, unknown>> = {
  dev,
  staging,
  production,
  'production-as-planned': productionAsPlanned,
  lab,
  chat,
  'chat-as-planned': chatAsPlanned,
  quiz,
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
  return validateEnvironment(SPECS[nameOrFile], path.join('stacks', `${mod.slice(2)}.ts`));
}
