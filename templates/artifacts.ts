/**
 * What rendering produces for one guest: per stack, the files a deploy ships (compose.yaml,
 * nginx.conf, postgresql.conf, ...) and the secret env files it must write. Renderers fill these
 * in as pure functions (`renderGuest(env, guest)` in `templates/render.ts`); `pvestack render`
 * writes them under `cdktf.out/stacks/<env>/artifacts/<guest>/<stack>/`, and the deployer ships
 * exactly those.
 *
 * Deploying a `RenderedStack` on its guest:
 * 1. create each of `externalNetworks` if missing (`docker network create <name>`);
 * 2. copy `files` into the release directory (with `mode` when given);
 * 3. write each of `secretFiles` (mode 0600) from the deployer's environment: each entry's
 *    `secret` names a spec secret whose `env` says which variable holds the value
 *    (`templates/compose/env-file.ts` has `resolveSecretValues` and `renderSecretEnvFile`);
 * 4. `docker compose -p <name> -f compose.yaml up -d` in the release directory, then wait until
 *    every service with `hasHealthcheck` is healthy.
 */

import type { ServiceDefinition } from './compose/service';

export interface RenderedFile {
  /** Path relative to the stack's release directory, e.g. `compose.yaml`, `nginx/nginx.conf`. */
  readonly path: string;
  readonly content: string;
  /** @default 0o644 */
  readonly mode?: number;
}

/** An env file the deployer writes at deploy time (mode 0600) from the deployer's environment. */
export interface SecretEnvFile {
  /** Path relative to the release directory, referenced by the compose file's `env_file`. */
  readonly path: string;
  /** Variables inside the container and the secret (by spec name) each one takes its value from. */
  readonly entries: readonly { readonly variable: string; readonly secret: string }[];
}

export interface RenderedService {
  readonly name: string;
  /** Stateful services (databases, model servers) restart only when their definition changed, after confirmation. */
  readonly stateful: boolean;
  readonly hasHealthcheck: boolean;
  readonly image: string;
  /**
   * The typed definition the compose file was rendered from (values as written, before compose's
   * `$$` escaping): the deployer and the Pulumi program read this, never the rendered YAML.
   */
  readonly definition: ServiceDefinition;
}

/** An address a stack offers to others, e.g. vLLM's OpenAI-compatible base URL for the web tier. */
export interface StackEndpoint {
  /** What it is: `openai-base-url`, `grafana`, ... */
  readonly name: string;
  readonly url: string;
}

export interface RenderedStack {
  /** Directory name on the host: `/opt/pvestack/<name>/releases/<id>`; also the compose project name. */
  readonly name: string;
  /** Which of `files` is the compose file (`compose.yaml`). */
  readonly composeFile: string;
  readonly guest: string;
  /** The spec kind it was rendered from (`vllm`, `postgres`, `compose`, ...). */
  readonly kind?: string;
  /** Always includes `compose.yaml`; paths are relative to the release directory. */
  readonly files: readonly RenderedFile[];
  readonly secretFiles: readonly SecretEnvFile[];
  readonly services: readonly RenderedService[];
  /** Docker networks the compose file uses as `external`; the deployer creates them before `up`. */
  readonly externalNetworks?: readonly string[];
  readonly endpoints?: readonly StackEndpoint[];
}
