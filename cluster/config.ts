/**
 * How pvestack reaches the Proxmox API: the same environment variables the bpg/proxmox provider
 * reads at apply time (`fwprovider/provider.go` of terraform-provider-proxmox v0.111.1:
 * PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN, PROXMOX_VE_USERNAME, PROXMOX_VE_PASSWORD,
 * PROXMOX_VE_INSECURE), so one shell configured for `cdktf deploy` also works for `doctor`.
 * Pure: reads the variables it is given, never the process environment by itself.
 */
import { ConnectionConfigError } from './errors';

/** An API token (`user@realm!tokenid=secret`) or a user's password exchanged for a ticket. */
export type ApiAuth =
  | { readonly kind: 'token'; readonly tokenId: string; readonly secret: string }
  | { readonly kind: 'password'; readonly username: string; readonly password: string };

export interface ConnectionConfig {
  /** Base URL of the JSON API, always ending in `/api2/json`. */
  readonly apiUrl: string;
  readonly auth: ApiAuth;
  /**
   * Skip TLS verification (PROXMOX_VE_INSECURE=true). @default false — a fresh Proxmox install
   * has a self-signed certificate, and trusting it blindly would hand the token to anyone in the
   * middle; give its CA with PROXMOX_VE_CA_FILE instead where possible.
   */
  readonly insecure: boolean;
  /** PEM file of the CA (or the node's self-signed certificate) to trust, PROXMOX_VE_CA_FILE. */
  readonly caFile?: string;
  /** Per-request timeout. @default 15000 ms (PROXMOX_VE_TIMEOUT in seconds) */
  readonly timeoutMs: number;
  /** Retries of a 5xx answer or a dropped connection, with exponential backoff. @default 3 */
  readonly retries: number;
  /** First backoff delay; doubled per retry. @default 500 ms */
  readonly backoffMs: number;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw new ConnectionConfigError(name, 'is not a boolean', env[name], `Set ${name}=true or ${name}=false.`);
}

/**
 * The API URL from PROXMOX_VE_ENDPOINT. The provider takes the server's root
 * (`https://pve.example.com:8006/`) and appends `api2/json` itself; a URL that already ends in
 * `/api2/json` is accepted too.
 */
export function apiUrlOf(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new ConnectionConfigError('PROXMOX_VE_ENDPOINT', 'is not a URL', endpoint, 'Set it to the API root of one node, e.g. https://pve1.example.com:8006/');
  }
  if (url.protocol !== 'https:')
    throw new ConnectionConfigError('PROXMOX_VE_ENDPOINT', 'must use https (the Proxmox API does not speak plain HTTP)', endpoint, 'Use https://<node>:8006/');
  const base = url.pathname.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
  return `${url.origin}${base}/api2/json`;
}

/** Splits `user@realm!tokenid=secret`; the secret is a UUID Proxmox printed once. */
export function parseApiToken(token: string): { tokenId: string; secret: string } {
  const m = /^([^@\s]+@[^!\s]+![^=\s]+)=(\S+)$/.exec(token.trim());
  // The value is never shown: it is the secret itself.
  if (!m)
    throw new ConnectionConfigError(
      'PROXMOX_VE_API_TOKEN',
      'is not of the form user@realm!tokenid=secret',
      undefined,
      'Copy the token id and secret as Proxmox showed them at creation, joined by "=" (e.g. terraform@pve!pvestack=xxxxxxxx-xxxx-...).',
    );
  return { tokenId: m[1]!, secret: m[2]! };
}

/** Reads the connection settings from environment variables (pass `process.env`). */
export function connectionConfigFrom(env: NodeJS.ProcessEnv): ConnectionConfig {
  const endpoint = env.PROXMOX_VE_ENDPOINT;
  if (!endpoint)
    throw new ConnectionConfigError(
      'PROXMOX_VE_ENDPOINT',
      'is not set',
      undefined,
      'Export the API root of a node, e.g. PROXMOX_VE_ENDPOINT=https://pve1.example.com:8006/ (the same variable the provider reads).',
    );
  let auth: ApiAuth;
  if (env.PROXMOX_VE_API_TOKEN) auth = { kind: 'token', ...parseApiToken(env.PROXMOX_VE_API_TOKEN) };
  else if (env.PROXMOX_VE_USERNAME && env.PROXMOX_VE_PASSWORD)
    auth = { kind: 'password', username: env.PROXMOX_VE_USERNAME, password: env.PROXMOX_VE_PASSWORD };
  else
    throw new ConnectionConfigError(
      'PROXMOX_VE_API_TOKEN',
      'is not set (nor PROXMOX_VE_USERNAME and PROXMOX_VE_PASSWORD)',
      undefined,
      'Export an API token as PROXMOX_VE_API_TOKEN=user@realm!tokenid=secret, or a user and password as PROXMOX_VE_USERNAME/PROXMOX_VE_PASSWORD.',
    );
  const timeoutSeconds = env.PROXMOX_VE_TIMEOUT ? Number(env.PROXMOX_VE_TIMEOUT) : 15;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new ConnectionConfigError('PROXMOX_VE_TIMEOUT', 'is not a positive number of seconds', env.PROXMOX_VE_TIMEOUT, 'Set e.g. PROXMOX_VE_TIMEOUT=30.');
  return {
    apiUrl: apiUrlOf(endpoint),
    auth,
    insecure: flag(env, 'PROXMOX_VE_INSECURE'),
    ...(env.PROXMOX_VE_CA_FILE ? { caFile: env.PROXMOX_VE_CA_FILE } : {}),
    timeoutMs: Math.round(timeoutSeconds * 1000),
    retries: 3,
    backoffMs: 500,
  };
}
