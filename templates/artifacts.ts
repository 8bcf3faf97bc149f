/**
 * What rendering produces for one guest: per stack, the files a deploy ships (compose.yaml,
 * nginx.conf, postgresql.conf, ...) and the secret env files it must write. Renderers fill these
 * in as pure functions; `pvestack render` writes them under
 * `cdktf.out/stacks/<env>/artifacts/<guest>/<stack>/`, and the deployer ships exactly those.
 */

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
}

export interface RenderedStack {
  /** Directory name on the host: `/opt/pvestack/<name>/releases/<id>`; also the compose project name. */
  readonly name: string;
  readonly guest: string;
  readonly files: readonly RenderedFile[];
  readonly secretFiles: readonly SecretEnvFile[];
  readonly services: readonly RenderedService[];
}
