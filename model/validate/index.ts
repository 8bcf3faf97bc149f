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
  const shaped = environmentShape(input, '', ctx) as EnvironmentSpec | undefined;
  if (shaped === undefined || ctx.total > 0) throw new InvalidSpecError(source, ctx.errors, ctx.total);
  checkReferences(shaped, ctx);
  if (ctx.total > 0) throw new InvalidSpecError(source, ctx.errors, ctx.total);
  return resolveEnvironment(shaped, source);
}
