/**
 * Every environment the toolkit knows, by name. The spec modules are imported statically (building
 * a spec object is cheap; only `loadEnvironment` validates it), because a runtime `require('./dev')`
 * cannot load TypeScript under vitest's module runner. Extra YAML/TS specs can be loaded by path.
 *
 * Environments named `*-as-planned` keep a real team's plan *with its mistakes*, so that the checks
 * are proven on them. They are "broken on purpose": listed by `pvestack list` and loadable by name,
 * but left out of every default set (`synth`, `check`, `validate`, `render` and `diff` without
 * arguments, and the cdktf app), so that neither CI nor `cdktf deploy` can pick them up by accident.
 */
import { Environment, InvalidSpecError, loadEnvironmentFile, UsageError, validateEnvironment } from '../model';
import { packagePath } from '../model/package-root';
import { locateModuleErrors } from '../model/source-locations';
import { editDistance } from '../model/validate/schema';
import dev from './dev';
import chat from './examples/chat';
import chatAsPlanned from './examples/chat-as-planned';
import lab from './examples/lab';
import labAsPlanned from './examples/lab-as-planned';
import quiz from './examples/quiz';
import production from './production';
import productionAsPlanned from './production-as-planned';
import staging from './staging';

interface Registered {
  readonly spec: unknown;
  /** Where the spec lives, for messages. */
  readonly file: string;
  /** Kept with its mistakes to prove the checks; never in a default set. */
  readonly brokenOnPurpose?: boolean;
}

const REGISTRY: Readonly<Record<string, Registered>> = {
  dev: { spec: dev, file: 'stacks/dev.ts' },
  staging: { spec: staging, file: 'stacks/staging.ts' },
  production: { spec: production, file: 'stacks/production.ts' },
  'production-as-planned': { spec: productionAsPlanned, file: 'stacks/production-as-planned.ts', brokenOnPurpose: true },
  lab: { spec: lab, file: 'stacks/examples/lab.ts' },
  'lab-as-planned': { spec: labAsPlanned, file: 'stacks/examples/lab-as-planned.ts', brokenOnPurpose: true },
  chat: { spec: chat, file: 'stacks/examples/chat.ts' },
  'chat-as-planned': { spec: chatAsPlanned, file: 'stacks/examples/chat-as-planned.ts', brokenOnPurpose: true },
  quiz: { spec: quiz, file: 'stacks/examples/quiz.ts' },
};

/**
 * Registered environment names in registry order.
 * @param opts.includeBroken also return the `*-as-planned` environments kept broken on purpose
 */
export function environmentNames(opts: { includeBroken?: boolean } = {}): string[] {
  return Object.keys(REGISTRY).filter((name) => opts.includeBroken || !REGISTRY[name]!.brokenOnPurpose);
}

export function isBrokenOnPurpose(name: string): boolean {
  return REGISTRY[name]?.brokenOnPurpose === true;
}

/** The file a registered environment is defined in (`stacks/production.ts`), or undefined. */
export function registeredSource(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name) ? REGISTRY[name]!.file : undefined;
}

/** Whether a command-line environment argument is a spec file path rather than a registered name. */
export function isSpecPath(nameOrFile: string): boolean {
  return /[/\\]|\.(ya?ml|json|ts|js)$/.test(nameOrFile);
}

/** Loads and validates one registered environment, or a spec file when given a path. */
export function loadEnvironment(nameOrFile: string): Environment {
  if (isSpecPath(nameOrFile)) return loadEnvironmentFile(nameOrFile);
  const entry = REGISTRY[nameOrFile];
  if (!entry) {
    const known = environmentNames({ includeBroken: true });
    const near = closestName(nameOrFile, known);
    throw new UsageError(
      `unknown environment ${JSON.stringify(nameOrFile)}`,
      `${near ? `Did you mean ${JSON.stringify(near)}? ` : ''}Known environments: ${known.join(', ')}; or pass a spec file path.`,
    );
  }
  try {
    return validateEnvironment(entry.spec, entry.file);
  } catch (err) {
    // A mistake in a registered spec points into its module like one in a spec given by path.
    if (err instanceof InvalidSpecError) throw locateModuleErrors(err, entry.file, packagePath(entry.file), entry.spec);
    throw err;
  }
}

/** The spec object of a registered environment as its module exports it, before validation. */
export function registeredSpec(name: string): unknown {
  const entry = REGISTRY[name];
  if (!entry)
    throw new UsageError(`unknown environment ${JSON.stringify(name)}`, `Known environments: ${environmentNames({ includeBroken: true }).join(', ')}.`);
  return entry.spec;
}

/** The registered name a mistyped one most likely meant (at most two edits away), if any. */
function closestName(typed: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = editDistance(typed.toLowerCase(), name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}
