/**
 * Catalogue entries: well-known images with pinned tags, ports, volumes and healthchecks, in the
 * same service model as everything else. The monitoring stack reuses the exporter entries.
 */
import type { CatalogStackSpec } from '../../model';
import { DEFAULT_PORTS } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { publish, StackContext, StackParts } from './types';

export type CatalogKind = CatalogStackSpec['kind'];

interface CatalogEntry {
  readonly image: string;
  /** Port inside the container (also the default published port). */
  readonly port: number;
  readonly service: Omit<ServiceDefinition, 'name' | 'image' | 'ports'>;
}

export const CATALOG: Readonly<Record<CatalogKind, CatalogEntry>> = {
  'open-webui': {
    image: 'ghcr.io/open-webui/open-webui:v0.3.35',
    port: DEFAULT_PORTS['open-webui'],
    service: {
      volumes: ['open-webui-data:/app/backend/data'],
      healthcheck: { test: ['CMD', 'curl', '-fsS', 'http://127.0.0.1:8080/health'], startPeriodSeconds: 60 },
      stateful: true,
    },
  },
  n8n: {
    image: 'docker.n8n.io/n8nio/n8n:1.64.0',
    port: DEFAULT_PORTS.n8n,
    service: {
      volumes: ['n8n-data:/home/node/.n8n'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5678/healthz'], startPeriodSeconds: 30 },
      stateful: true,
    },
  },
  portainer: {
    image: 'portainer/portainer-ce:2.21.4',
    port: DEFAULT_PORTS.portainer,
    service: { volumes: ['/var/run/docker.sock:/var/run/docker.sock', 'portainer-data:/data'], stateful: true },
  },
  'portainer-agent': {
    image: 'portainer/agent:2.21.4',
    port: DEFAULT_PORTS['portainer-agent'],
    service: { volumes: ['/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/volumes:/var/lib/docker/volumes'] },
  },
  'node-exporter': {
    image: 'prom/node-exporter:v1.8.2',
    port: DEFAULT_PORTS['node-exporter'],
    service: { command: ['--path.rootfs=/host'], pid: 'host', volumes: ['/:/host:ro,rslave'] },
  },
  cadvisor: {
    image: 'gcr.io/cadvisor/cadvisor:v0.49.1',
    port: DEFAULT_PORTS.cadvisor,
    service: {
      privileged: true,
      devices: ['/dev/kmsg'],
      volumes: ['/:/rootfs:ro', '/var/run:/var/run:ro', '/sys:/sys:ro', '/var/lib/docker/:/var/lib/docker:ro', '/dev/disk/:/dev/disk:ro'],
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/healthz'] },
    },
  },
  // NVIDIA/dcgm-exporter README quickstart: `docker run --gpus all --cap-add SYS_ADMIN -p 9400:9400`.
  // `gpus: 'all'` renders the same `deploy.resources.reservations.devices` (driver nvidia,
  // capabilities [gpu]) vLLM gets its GPU through, with `count: all` so every GPU of the guest is
  // watched; SYS_ADMIN lets the embedded DCGM host engine read the profiling counters.
  'dcgm-exporter': {
    image: 'nvcr.io/nvidia/k8s/dcgm-exporter:3.3.8-3.6.0-ubuntu22.04',
    port: DEFAULT_PORTS['dcgm-exporter'],
    service: { gpus: 'all', capAdd: ['SYS_ADMIN'] },
  },
};

/** One catalogue service, published on the guest's private address. */
export function catalogService(ctx: StackContext, kind: CatalogKind, overrides: Partial<CatalogStackSpec> = {}): ServiceDefinition {
  const entry = CATALOG[kind];
  return {
    ...entry.service,
    name: kind,
    image: overrides.image ?? entry.image,
    ports: [publish(ctx.guest, overrides.port ?? entry.port, entry.port)],
    ...(overrides.env ? { env: { ...(entry.service.env ?? {}), ...overrides.env } } : {}),
    ...(overrides.secrets ? { secrets: overrides.secrets } : {}),
  };
}

export function catalogStack(ctx: StackContext, stack: CatalogStackSpec): StackParts {
  return { services: [catalogService(ctx, stack.kind, stack)], files: [] };
}
