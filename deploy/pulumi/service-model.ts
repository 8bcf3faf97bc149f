/**
 * The renderers' typed stack as the service model the Pulumi program needs (image,
 * command, env, secret env, ports, volumes, uploads for bind-mounted config files, GPUs,
 * healthcheck). Pure: the same rendered stack always gives the same model.
 */
import * as path from 'node:path';
import { UsageError } from '../../model';
import type { RenderedStack } from '../../templates/artifacts';
import { isNamedVolume, secretVariables, ServiceDefinition } from '../../templates/compose/service';

export interface PulumiService {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** Plain `KEY=value` pairs from `environment` (never secret). */
  readonly env: readonly string[];
  /** Variables whose values are secrets, by spec secret name. */
  readonly secretEnv: readonly { readonly variable: string; readonly secret: string }[];
  readonly ports: readonly { readonly ip?: string; readonly external: number; readonly internal: number; readonly protocol: string }[];
  readonly volumes: readonly { readonly volume: string; readonly containerPath: string; readonly readOnly: boolean }[];
  readonly binds: readonly { readonly hostPath: string; readonly containerPath: string; readonly readOnly: boolean }[];
  /** Release files bind-mounted in compose become uploads into the container. */
  readonly uploads: readonly { readonly file: string; readonly content: string }[];
  /** `all` or `device=0,1`; undefined without a GPU reservation. */
  readonly gpus?: string;
  readonly healthcheck?: {
    readonly tests: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly startPeriod: string;
  };
  readonly restart: string;
  readonly ipcMode?: string;
  readonly init: boolean;
}

export interface PulumiStackModel {
  readonly name: string;
  readonly services: readonly PulumiService[];
  /** Named volumes: compose names them `<project>_<volume>`, and so does this program, so data is shared. */
  readonly volumes: readonly string[];
  /** The network containers join: the external one when the stack uses one, else `<project>_default`. */
  readonly network: { readonly name: string; readonly external: boolean };
}

/**
 * Builds the Pulumi service model from the renderers' typed stack (`RenderedService.definition`),
 * never from the compose YAML they rendered. Values are as written in the definitions: compose's
 * `$$` escaping (`templates/compose/render-compose.ts`) is a property of the YAML, not of the value.
 */
export function pulumiStackModel(stack: RenderedStack): PulumiStackModel {
  const defs = stack.services.map((s) => s.definition);
  const external = stack.externalNetworks?.[0];
  return {
    name: stack.name,
    volumes: [...new Set(defs.flatMap((d) => (d.volumes ?? []).filter(isNamedVolume).map((v) => v.split(':')[0]!)))].sort(),
    network: external ? { name: external, external: true } : { name: `${stack.name}_default`, external: false },
    services: defs.map((d) => serviceModel(stack, d)),
  };
}

/** Images must name a version (tag other than `latest`, or a digest): the program pins what it pulls. */
export function pinnedImage(image: string, where: string): string {
  const lastSegment = image.split('/').pop() ?? image;
  if (image.includes('@sha256:') || (lastSegment.includes(':') && !lastSegment.endsWith(':latest'))) return image;
  throw new UsageError(`${where}: image ${JSON.stringify(image)} is not pinned`, 'Give the image a version tag (e.g. :1.2.3) or a digest (@sha256:...)');
}

function serviceModel(stack: RenderedStack, svc: ServiceDefinition): PulumiService {
  const where = `${stack.guest}/${stack.name}/${svc.name}`;
  const volumes: PulumiService['volumes'][number][] = [];
  const binds: PulumiService['binds'][number][] = [];
  const uploads: PulumiService['uploads'][number][] = [];
  for (const spec of svc.volumes ?? []) {
    const [source, target, mode] = spec.split(':') as [string, string, string | undefined];
    const readOnly = mode === 'ro';
    if (source.startsWith('./')) {
      // A release file or directory: ship its content into the container instead of a host path.
      const rel = source.slice(2);
      for (const f of stack.files.filter((f) => f.path === rel || f.path.startsWith(`${rel}/`))) {
        uploads.push({ file: f.path === rel ? target : path.posix.join(target, f.path.slice(rel.length + 1)), content: f.content });
      }
    } else if (source.startsWith('/')) binds.push({ hostPath: source, containerPath: target, readOnly });
    else volumes.push({ volume: `${stack.name}_${source}`, containerPath: target, readOnly });
  }
  const h = svc.healthcheck;
  // The renderer's healthcheck defaults (templates/compose/render-compose.ts), so both engines probe alike.
  return {
    name: svc.name,
    image: pinnedImage(svc.image, where),
    ...(svc.command ? { command: [...svc.command] } : {}),
    ...(svc.entrypoint ? { entrypoint: [...svc.entrypoint] } : {}),
    env: Object.entries(svc.env ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`),
    secretEnv: secretVariables(svc),
    ports: (svc.networkMode ? [] : (svc.ports ?? [])).map(parsePort),
    volumes,
    binds,
    uploads,
    ...(svc.gpus !== undefined ? { gpus: gpus(svc.gpus) } : {}),
    ...(h
      ? {
          healthcheck: {
            tests: [...h.test],
            interval: `${h.intervalSeconds ?? 15}s`,
            timeout: `${h.timeoutSeconds ?? 5}s`,
            retries: h.retries ?? 5,
            startPeriod: `${h.startPeriodSeconds ?? 10}s`,
          },
        }
      : {}),
    restart: svc.restart ?? 'unless-stopped',
    ...(svc.ipc ? { ipcMode: svc.ipc } : {}),
    init: svc.init ?? true,
  };
}

/** `127.0.0.1:8000:8000`, `8080:80`, `53:53/udp`. */
function parsePort(spec: string): PulumiService['ports'][number] {
  const [addr, protocol = 'tcp'] = spec.split('/') as [string, string | undefined];
  const parts = addr.split(':');
  const internal = Number(parts.pop());
  const external = Number(parts.pop() ?? internal);
  const ip = parts.pop();
  return { ...(ip ? { ip } : {}), external, internal, protocol };
}

/** A GPU request as the Docker API's `--gpus` value (the renderer's reservation: count, `all` or device ids). */
function gpus(g: NonNullable<ServiceDefinition['gpus']>): string {
  if (Array.isArray(g)) return `device=${g.join(',')}`;
  if (g === 'all') return 'all';
  return `device=${Array.from({ length: Number(g) }, (_, i) => i).join(',')}`;
}
