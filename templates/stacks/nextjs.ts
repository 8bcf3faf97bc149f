/**
 * Next.js replicas. One replica is the service `nextjs` on the spec's port; N replicas are
 * `nextjs-1..N` on consecutive host ports (port, port+1, ...), each a separate upstream for nginx.
 */
import type { Guest, NextjsStackSpec } from '../../model';
import { DEFAULT_PORTS, nextjsHostPorts } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { publish, StackContext, StackParts } from './types';

export interface Replica {
  readonly service: string;
  readonly hostPort: number;
}

/** The replicas a nextjs stack runs and the host port each is published on. */
export function nextjsReplicas(stack: NextjsStackSpec): Replica[] {
  const ports = nextjsHostPorts(stack);
  return ports.map((hostPort, i) => ({ service: ports.length === 1 ? 'nextjs' : `nextjs-${i + 1}`, hostPort }));
}

/** Host ports the Next.js replicas of a guest listen on (for the proxy's upstream list). */
export function nextjsPortsOn(guest: Guest): Replica[] {
  return guest.stacks.flatMap((s) => (s.kind === 'nextjs' ? nextjsReplicas(s) : []));
}

export function nextjsStack(ctx: StackContext, stack: NextjsStackSpec): StackParts {
  const port = stack.port ?? DEFAULT_PORTS.nextjs;
  const path = stack.healthPath ?? '/api/health';
  const services: ServiceDefinition[] = nextjsReplicas(stack).map((r) => ({
    name: r.service,
    image: stack.image,
    ports: [publish(ctx.guest, r.hostPort, port)],
    // HOSTNAME: Next.js standalone servers bind to it; 0.0.0.0 makes the published port work.
    env: { HOSTNAME: '0.0.0.0', PORT: String(port), ...(stack.env ?? {}) },
    secrets: stack.secrets ?? [],
    healthcheck: {
      // Node 18+ has fetch; the image need not ship curl or wget.
      test: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}${path}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 4,
      startPeriodSeconds: 30,
    },
  }));
  return { services, files: [] };
}
