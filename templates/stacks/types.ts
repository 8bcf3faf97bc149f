/** What a stack renderer receives and returns; `render.ts` turns the parts into a `RenderedStack`. */
import type { Disk, Environment, GpuSpec, Guest } from '../../model';
import type { RenderedFile, StackEndpoint } from '../artifacts';
import type { ServiceDefinition } from '../compose/service';

/** Switches for rendering the same environment somewhere other than its own guests. */
export interface RenderOptions {
  /**
   * False renders for a machine without NVIDIA GPUs (`pvestack up --no-gpu`): vLLM is replaced
   * by `cpuStubImage` or left out, and other services that request a GPU are left out.
   * @default true
   */
  readonly gpu?: boolean;
  /** Image serving an OpenAI-compatible API on the vLLM port without a GPU (only with `gpu: false`). */
  readonly cpuStubImage?: string;
}

export interface StackContext {
  readonly env: Environment;
  readonly guest: Guest;
  /** The GPUs given to the guest, in guest order (index = device id inside the guest). */
  readonly gpus: readonly GpuSpec[];
  readonly options: RenderOptions;
}

/** One stack's services plus the files its compose file mounts (relative to the release dir). */
export interface StackParts {
  readonly services: ServiceDefinition[];
  readonly files: RenderedFile[];
  readonly endpoints?: StackEndpoint[];
  /** Comment lines for the top of compose.yaml (operator notes). */
  readonly notes?: string[];
}

/** `<guest ip>:<host port>:<container port>`: stacks publish only on the guest's own address. */
export function publish(guest: Guest, hostPort: number, containerPort = hostPort): string {
  return `${guest.ipv4}:${hostPort}:${containerPort}`;
}

/** The guest's data disks that have a mount point (not the boot disk). */
export function dataDisks(guest: Guest): Disk[] {
  return guest.disks.filter((d, i) => i > 0 && d.mountPoint !== undefined);
}

/** Whether a guest's stacks run on a loopback address (a laptop): peers are reached by service name. */
export function isLoopback(guest: Guest): boolean {
  return guest.ipv4.startsWith('127.');
}
