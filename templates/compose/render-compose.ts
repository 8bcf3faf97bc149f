/**
 * Service definitions → a compose-spec file. Pure and deterministic: keys in a fixed order,
 * environment sorted by name, so snapshots and PR diffs stay quiet.
 *
 * There is no `version:` key: docker compose v2 ignores it, and Debian's docker-compose 1.29
 * reads a file without it as the compose spec (checked by the real-tool tests, `config` and `up`).
 * Secrets never appear here: each service with secrets gets `env_file: secrets/<service>.env`,
 * a file the deployer writes (mode 0600) from its own environment at deploy time.
 */
import { yamlText } from '../yaml-text';
import type { RenderedService, SecretEnvFile } from '../artifacts';
import { isNamedVolume, secretEnvPath, secretVariables, ServiceDefinition } from './service';

/** Log rotation every service gets, so a chatty container cannot fill the guest's disk. */
export const LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } as const;

export interface ComposeInput {
  readonly services: readonly ServiceDefinition[];
  /**
   * An external network every service joins as its default network, shared by all stacks on one
   * guest so that co-located stacks reach each other by service name. The deployer creates it.
   */
  readonly sharedNetwork?: string;
  /** Comment lines written at the top of the file. */
  readonly header?: readonly string[];
}

export interface RenderedCompose {
  readonly text: string;
  readonly secretFiles: SecretEnvFile[];
  readonly services: RenderedService[];
}

/** Compose interpolates `$VAR` in the file; every `$` we emit is meant literally. */
function literal(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

function seconds(n: number): string {
  return `${n}s`;
}

function gpuReservation(gpus: NonNullable<ServiceDefinition['gpus']>) {
  const device: Record<string, unknown> = { driver: 'nvidia' };
  if (Array.isArray(gpus)) device.device_ids = [...gpus];
  else device.count = gpus;
  device.capabilities = ['gpu'];
  return { resources: { reservations: { devices: [device] } } };
}

/** A service's `environment:` as the compose file holds it: sorted by name, every `$` literal; undefined when empty. */
export function composeEnvironment(svc: ServiceDefinition): Record<string, string> | undefined {
  const env = Object.entries(svc.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return env.length ? Object.fromEntries(env.map(([k, v]) => [k, literal(v)])) : undefined;
}

/** A service's `healthcheck:` as the compose file holds it, with the defaults filled in. */
export function composeHealthcheck(h: NonNullable<ServiceDefinition['healthcheck']>): Record<string, unknown> {
  return {
    test: h.test.map(literal),
    interval: seconds(h.intervalSeconds ?? 15),
    timeout: seconds(h.timeoutSeconds ?? 5),
    retries: h.retries ?? 5,
    start_period: seconds(h.startPeriodSeconds ?? 10),
  };
}

function renderService(svc: ServiceDefinition, all: readonly ServiceDefinition[]): Record<string, unknown> {
  const out: Record<string, unknown> = { image: svc.image };
  if (svc.entrypoint) out.entrypoint = svc.entrypoint.map(literal);
  if (svc.command) out.command = svc.command.map(literal);
  if (svc.user) out.user = svc.user;
  out.init = svc.init ?? true;
  out.restart = svc.restart ?? 'unless-stopped';
  if (svc.ipc) out.ipc = svc.ipc;
  if (svc.shmSizeMib) out.shm_size = `${svc.shmSizeMib}m`;
  if (svc.pid) out.pid = svc.pid;
  if (svc.networkMode) out.network_mode = svc.networkMode;
  if (svc.privileged) out.privileged = true;
  if (svc.capAdd?.length) out.cap_add = [...svc.capAdd];
  if (svc.devices?.length) out.devices = [...svc.devices];
  if (svc.ports?.length && !svc.networkMode) out.ports = [...svc.ports];
  const environment = composeEnvironment(svc);
  if (environment) out.environment = environment;
  if (secretVariables(svc).length) out.env_file = [secretEnvPath(svc.name)];
  if (svc.volumes?.length) out.volumes = [...svc.volumes];
  if (svc.dependsOn?.length) {
    out.depends_on = Object.fromEntries(
      svc.dependsOn.map((dep) => {
        const target = all.find((s) => s.name === dep);
        return [dep, { condition: target?.healthcheck ? 'service_healthy' : 'service_started' }];
      }),
    );
  }
  if (svc.healthcheck) out.healthcheck = composeHealthcheck(svc.healthcheck);
  out.stop_grace_period = seconds(svc.stopGracePeriodSeconds ?? 10);
  if (svc.memoryLimitMib) out.mem_limit = `${svc.memoryLimitMib}m`;
  if (svc.cpus) out.cpus = svc.cpus;
  out.logging = { driver: LOGGING.driver, options: { ...LOGGING.options } };
  if (svc.gpus !== undefined) out.deploy = gpuReservation(svc.gpus);
  return out;
}

/** Renders one compose project from its services. */
export function renderCompose(input: ComposeInput): RenderedCompose {
  const services = Object.fromEntries(input.services.map((s) => [s.name, renderService(s, input.services)]));
  const volumes = [...new Set(input.services.flatMap((s) => (s.volumes ?? []).filter(isNamedVolume).map((v) => v.split(':')[0]!)))].sort();
  const doc: Record<string, unknown> = { services };
  if (volumes.length) doc.volumes = Object.fromEntries(volumes.map((v) => [v, {}]));
  if (input.sharedNetwork) doc.networks = { default: { name: input.sharedNetwork, external: true } };
  const header = (input.header ?? []).map((l) => `# ${l}`.trimEnd()).join('\n');
  const body = yamlText(doc, { aliasDuplicateObjects: false });
  return {
    text: header ? `${header}\n${body}` : body,
    secretFiles: input.services.filter((s) => secretVariables(s).length > 0).map((s) => ({ path: secretEnvPath(s.name), entries: secretVariables(s) })),
    services: input.services.map((s) => ({
      name: s.name,
      stateful: s.stateful ?? false,
      hasHealthcheck: s.healthcheck !== undefined,
      image: s.image,
      definition: s,
    })),
  };
}
