/**
 * The service model every stack renders through. `ServiceSpec` (model/spec.ts) is what users
 * write for a `compose` stack; `ServiceDefinition` adds the few settings the built-in stacks
 * need (entrypoint, ipc, a sidecar's network namespace, explicit secret variable names). One
 * renderer (`renderCompose`) turns a list of them into a compose file.
 */
import type { ServiceSpec } from '../../model';

/** One secret exposed to a container as an environment variable through its env file. */
export interface SecretVariable {
  /** Variable name inside the container, e.g. `POSTGRES_PASSWORD`. */
  readonly variable: string;
  /** Secret name from the spec's `secrets` map. */
  readonly secret: string;
}

export interface ServiceDefinition extends ServiceSpec {
  /** Replaces the image's entrypoint (argv form). */
  readonly entrypoint?: readonly string[];
  /** `host` for vLLM: PyTorch shares memory between tensor-parallel workers. */
  readonly ipc?: 'host';
  /** Size of the container's `/dev/shm` in MiB (compose `shm_size`). @default Docker's 64 MiB */
  readonly shmSizeMib?: number;
  /** `host` for node-exporter, so it sees the guest's processes. */
  readonly pid?: 'host';
  /** Join another service's network namespace (`service:postgres`), e.g. for a backup sidecar. */
  readonly networkMode?: string;
  /** Run an init process as PID 1 so signals stop the container promptly. @default true */
  readonly init?: boolean;
  readonly user?: string;
  readonly privileged?: boolean;
  readonly capAdd?: readonly string[];
  readonly devices?: readonly string[];
  /**
   * Secret variables with explicit names (the image expects `POSTGRES_PASSWORD`, `VLLM_API_KEY`).
   * `secrets` (by spec name) are exposed under `secretVariableName(name)` in addition.
   */
  readonly secretEnv?: readonly SecretVariable[];
  /** @default 10 */
  readonly stopGracePeriodSeconds?: number;
}

/** `postgres-password` → `POSTGRES_PASSWORD`: the variable a secret is exposed as by default. */
export function secretVariableName(secret: string): string {
  return secret.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** Every secret variable of a service: explicit ones first, then `secrets` by their default names. */
export function secretVariables(svc: ServiceDefinition): SecretVariable[] {
  const out: SecretVariable[] = [...(svc.secretEnv ?? [])];
  for (const secret of svc.secrets ?? []) {
    const variable = secretVariableName(secret);
    if (!out.some((e) => e.variable === variable)) out.push({ variable, secret });
  }
  return out;
}

/** Where a service's secret env file lives, relative to the stack's release directory. */
export function secretEnvPath(service: string): string {
  return `secrets/${service}.env`;
}

/** True when a volume source is a named volume (not a host path). */
export function isNamedVolume(volume: string): boolean {
  return !/^[/.~]/.test(volume.split(':')[0]!);
}
