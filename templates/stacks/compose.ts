/** A hand-written `compose` stack: its services are already in the service model. */
import type { ComposeStackSpec } from '../../model';
import type { StackContext, StackParts } from './types';

export function composeStack(_ctx: StackContext, stack: ComposeStackSpec): StackParts {
  return { services: [...stack.services], files: [] };
}
