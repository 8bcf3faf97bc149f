import type { EnvironmentSpec } from './spec';

/**
 * Identity function that gives a spec object literal its type in `stacks/<env>.ts`, so editors
 * complete field names. The value is still validated at load time like a YAML spec.
 */
export function defineEnvironment<T extends EnvironmentSpec>(spec: T): T {
  return spec;
}
