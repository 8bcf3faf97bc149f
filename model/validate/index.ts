/** The one place a spec is validated: shape, then references, then defaults. */
import type { Environment } from '../environment';
import { InvalidSpecError } from '../errors';
import type { EnvironmentSpec } from '../spec';
import { checkReferences } from './references';
import { resolveEnvironment } from './resolve';
import { newCtx } from './schema';
import { environmentShape } from './shapes';

/**
 * Validates an untrusted value as an environment spec.
 * @param source where it came from, used in messages (`stacks/production.ts`, `env.yaml`)
 * @throws InvalidSpecError with every problem found, never anything else for bad input
 */
export function validateEnvironment(input: unknown, source = 'spec'): Environment {
  const ctx = newCtx();
  // No cast: the shapes' output type is the spec type (see the guards below).
  const shaped: EnvironmentSpec | undefined = environmentShape(input, '', ctx);
  if (shaped === undefined || ctx.total > 0) throw new InvalidSpecError(source, ctx.errors, ctx.total);
  checkReferences(shaped, ctx);
  if (ctx.total > 0) throw new InvalidSpecError(source, ctx.errors, ctx.total);
  return resolveEnvironment(shaped, source);
}

/** What the shapes return: the validator's own idea of a spec. */
type ShapedSpec = NonNullable<ReturnType<typeof environmentShape>>;
/**
 * Compile-time guards against drift between `model/spec.ts` and `shapes.ts`: every spec the types
 * allow is a value the shapes type, and every value the shapes accept is a spec. (Assignability
 * cannot see an optional field that only one side has; the spec reference generator,
 * `scripts/spec/reference.ts`, compares the field names one by one, and `npm test` runs it.)
 */
type Fits<A, B> = [A] extends [B] ? true : false;
const driftGuards: [Fits<EnvironmentSpec, ShapedSpec>, Fits<ShapedSpec, EnvironmentSpec>] = [true, true];
void driftGuards;
