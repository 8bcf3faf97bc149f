/**
 * The rendered compose file read back into the service model the Pulumi program needs (image,
 * command, env, secret env, ports, volumes, uploads for bind-mounted config files, GPUs,
 * healthcheck). Pure: the same rendered stack always gives the same model.
 */
import * as path from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../../model';
import type { RenderedStack } from '../../templates/artifacts';
import { composeFileOf, durationSeconds } from '../release';

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
  readonly healthcheck?: { readonly tests: readonly string[]; readonly interval: string; readonly timeout: string; readonly retries: number; readonly startPeriod: string };
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

type ComposeService = {
  image: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean>;
  env_file?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; interval?: string; timeout?: string; retries?: number; start_period?: string; disable?: boolean };
  restart?: string;
  ipc?: string;
  init?: boolean;
  deploy?: { resources?: { reservations?: { devices?: { count?: number | string; device_ids?: string[]; capabilities?: string[][] | string[] }[] } } };
};

/** Reads a rendered stack's compose file into the Pulumi service model. */
export function pulumiStackModel(stack: RenderedStack): PulumiStackModel {
  const doc = parse(stack.files.find((f) => f.path === composeFileOf(stack))!.content) as {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
    networks?: { default?: { name?: string; external?: boolean } };
  };
  const external = doc.networks?.default?.external ? doc.networks.default.name : undefined;
  return {
    name: stack.name,
    volumes: Object.keys(doc.volumes ?? {}).sort(),
    network: external ? { name: external, external: true } : { name: `${stack.name}_default`, external: false },
    services: Object.entries(doc.services).map(([name, svc]) => serviceModel(stack, name, svc)),
  };
}

/** Images must name a version (tag other than `latest`, or a digest): the program pins what it pulls. */
export function pinnedImage(image: string, where: string): string {
  const lastSegment = image.split('/').pop() ?? image;
  if (image.includes('@sha256:') || (lastSegment.includes(':') && !lastSegment.endsWith(':latest'))) return image;
  throw new UsageError(`${where}: image ${JSON.stringify(image)} is not pinned`, 'Give the image a version tag (e.g. :1.2.3) or a digest (@sha256:...)');
}

function serviceModel(stack: RenderedStack, name: string, svc: ComposeService): PulumiService {
  const where = `${stack.guest}/${stack.name}/${name}`;
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
  const secretEnv = (svc.env_file ?? []).flatMap((file) => stack.secretFiles.find((s) => s.path === file)?.entries ?? []);
  const h = svc.healthcheck;
  return {
    name,
    image: pinnedImage(svc.image, where),
    ...(svc.command ? { command: svc.command } : {}),
    ...(svc.entrypoint ? { entrypoint: svc.entrypoint } : {}),
    env: Object.entries(svc.environment ?? {}).map(([k, v]) => `${k}=${String(v)}`),
    secretEnv,
    ports: (svc.ports ?? []).map(parsePort),
    volumes,
    binds,
    uploads,
    ...(gpus(svc) ? { gpus: gpus(svc)! } : {}),
    ...(h?.test && !h.disable
      ? {
          healthcheck: {
            tests: h.test,
            interval: `${durationSeconds(h.interval ?? '30s')}s`,
            timeout: `${durationSeconds(h.timeout ?? '30s')}s`,
            retries: h.retries ?? 3,
            startPeriod: `${durationSeconds(h.start_period ?? '0s')}s`,
          },
        }
      : {}),
    restart: svc.restart ?? 'unless-stopped',
    ...(svc.ipc ? { ipcMode: svc.ipc } : {}),
    init: svc.init ?? false,
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

/** Compose's GPU reservation as the Docker API's `--gpus` value. */
function gpus(svc: ComposeService): string | undefined {
  const devices = svc.deploy?.resources?.reservations?.devices ?? [];
  const gpu = devices.find((d) => JSON.stringify(d.capabilities ?? []).includes('gpu'));
  if (!gpu) return undefined;
  if (gpu.device_ids?.length) return `device=${gpu.device_ids.join(',')}`;
  if (gpu.count === 'all' || gpu.count === undefined) return 'all';
  return `device=${Array.from({ length: Number(gpu.count) }, (_, i) => i).join(',')}`;
}
