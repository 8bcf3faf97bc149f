/** BullMQ (or any queue) workers: replicas of one image, no published ports. */
import type { WorkerStackSpec } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import type { StackContext, StackParts } from './types';

export function workerStack(_ctx: StackContext, stack: WorkerStackSpec): StackParts {
  const n = stack.replicas ?? 1;
  const services: ServiceDefinition[] = Array.from({ length: n }, (_, i) => ({
    name: n === 1 ? 'worker' : `worker-${i + 1}`,
    image: stack.image,
    ...(stack.command ? { command: stack.command } : {}),
    env: stack.env ?? {},
    secrets: stack.secrets ?? [],
    // Give in-flight jobs time to finish; BullMQ workers close gracefully on SIGTERM.
    stopGracePeriodSeconds: 60,
  }));
  return { services, files: [] };
}
