/** Stack kind → renderer. */
import type { StackSpec } from '../../model';
import { catalogStack } from './catalogue';
import { composeStack } from './compose';
import { monitoringStack } from './monitoring';
import { nextjsStack } from './nextjs';
import { nginxProxyStack } from './nginx-proxy';
import { postgresStack } from './postgres';
import { redisStack } from './redis';
import type { StackContext, StackParts } from './types';
import { vllmStack } from './vllm';
import { workerStack } from './worker';

export type { RenderOptions, StackContext, StackParts } from './types';

export function stackParts(ctx: StackContext, stack: StackSpec): StackParts {
  switch (stack.kind) {
    case 'vllm':
      return vllmStack(ctx, stack);
    case 'postgres':
      return postgresStack(ctx, stack);
    case 'redis':
      return redisStack(ctx, stack);
    case 'nextjs':
      return nextjsStack(ctx, stack);
    case 'nginx-proxy':
      return nginxProxyStack(ctx, stack);
    case 'worker':
      return workerStack(ctx, stack);
    case 'monitoring':
      return monitoringStack(ctx, stack);
    case 'compose':
      return composeStack(ctx, stack);
    default:
      return catalogStack(ctx, stack);
  }
}
