/**
 * Which ports a guest's stacks listen on, from the stack specs and their documented defaults.
 * Checks (is a declared connection aimed at a port nothing serves?), the firewall matrix and
 * the graph read this; the compose renderers use the same defaults.
 */
import type { Guest } from './environment';
import type { NextjsStackSpec, StackSpec } from './spec';

export interface Listener {
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
  /** The stack kind (or compose stack name) and service that listens. */
  readonly stack: string;
  readonly service: string;
}

/** Default ports of each stack kind (also used by the renderers). */
export const DEFAULT_PORTS = {
  vllm: 8000,
  postgres: 5432,
  redis: 6379,
  nextjs: 3000,
  'nginx-proxy': [80, 443],
  prometheus: 9090,
  grafana: 3000,
  'open-webui': 8080,
  n8n: 5678,
  portainer: 9443,
  'portainer-agent': 9001,
  'node-exporter': 9100,
  cadvisor: 8080,
  'dcgm-exporter': 9400,
} as const;

export function stackListeners(stack: StackSpec): Listener[] {
  const one = (port: number, service: string = stack.kind): Listener[] => [{ port, proto: 'tcp', stack: stack.kind, service }];
  switch (stack.kind) {
    case 'vllm':
      return one(stack.port ?? DEFAULT_PORTS.vllm);
    case 'postgres':
      return one(stack.port ?? DEFAULT_PORTS.postgres);
    case 'redis':
      return one(stack.port ?? DEFAULT_PORTS.redis);
    case 'nextjs': {
      const ports = nextjsHostPorts(stack);
      return ports.map((port, i) => ({ port, proto: 'tcp' as const, stack: stack.kind, service: ports.length === 1 ? 'nextjs' : `nextjs-${i + 1}` }));
    }
    case 'nginx-proxy':
      return DEFAULT_PORTS['nginx-proxy'].map((port) => ({ port, proto: 'tcp' as const, stack: stack.kind, service: 'nginx' }));
    case 'worker':
      return [];
    case 'monitoring':
      return [...one(DEFAULT_PORTS.prometheus, 'prometheus'), ...one(DEFAULT_PORTS.grafana, 'grafana')];
    case 'compose':
      return stack.services.flatMap((svc) =>
        (svc.ports ?? []).map((p) => {
          const [mapping, proto] = p.split('/');
          // `[ip:]host:container`: the host port is the one reachable from other guests.
          const parts = mapping!.split(':');
          return {
            port: Number(parts.length >= 2 ? parts[parts.length - 2] : parts[0]),
            proto: (proto ?? 'tcp') as 'tcp' | 'udp',
            stack: stack.name,
            service: svc.name,
          };
        }),
      );
    default:
      return one(stack.port ?? DEFAULT_PORTS[stack.kind]);
  }
}

/**
 * Host ports of a nextjs stack's replicas: one replica listens on `port`, N replicas on
 * `port` … `port + N − 1` (each a separate nginx upstream). Shared by the renderer and the checks.
 */
export function nextjsHostPorts(stack: NextjsStackSpec): number[] {
  const port = stack.port ?? DEFAULT_PORTS.nextjs;
  return Array.from({ length: stack.replicas ?? 1 }, (_, i) => port + i);
}

export function guestListeners(guest: Guest): Listener[] {
  return guest.stacks.flatMap(stackListeners);
}
