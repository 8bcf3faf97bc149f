import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Returns the construct with `id` at the root of `scope`'s stack, creating it on first use, so
 * that shared resources (a node's cloud image, the cluster's GPU mappings) exist once per stack
 * however many guests need them.
 */
export function stackSingleton<T extends Construct>(scope: Construct, id: string, create: (stack: TerraformStack) => T): T {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(id);
  return (existing as T | undefined) ?? create(stack);
}
