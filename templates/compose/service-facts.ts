/**
 * What a review of a stack change reads about each compose service: its image, its environment
 * (values never shown, only whether they changed) and its healthcheck, exactly as the compose file
 * holds them. Taken from the typed services the compose file was rendered from, so `pvestack
 * diff` compares two revisions without parsing the YAML they rendered. Pure.
 */
import type { RenderedStack } from '../artifacts';
import { composeEnvironment, composeHealthcheck } from './render-compose';

/** One compose service as a reviewer compares it. */
export interface ServiceFacts {
  readonly image: string;
  /** `environment:` of the compose file (no secrets: those live in env files). */
  readonly environment: Readonly<Record<string, string>>;
  readonly healthcheck?: Readonly<Record<string, unknown>>;
}

/**
 * The facts of every compose file of an environment, keyed by the compose file's path under
 * `artifacts/` (`<guest>/<stack>/compose.yaml`), then by service name.
 */
export type ComposeFacts = Readonly<Record<string, Readonly<Record<string, ServiceFacts>>>>;

/** The facts of one stack's services, by service name. */
export function serviceFacts(stack: RenderedStack): Record<string, ServiceFacts> {
  return Object.fromEntries(
    stack.services.map((s) => {
      const def = s.definition;
      return [
        s.name,
        { image: def.image, environment: composeEnvironment(def) ?? {}, ...(def.healthcheck ? { healthcheck: composeHealthcheck(def.healthcheck) } : {}) },
      ] as const;
    }),
  );
}
