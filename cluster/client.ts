/**
 * A small read-only client for the Proxmox VE JSON API over Node's own `https` module (why not an
 * npm client: see the README, "Working with an existing cluster"). It only ever sends GET
 * requests, plus one POST to `/access/ticket` when it logs in with a password: `doctor`,
 * `discover` and `import` must never change a cluster, and the type of `request()` makes any
 * other method impossible to ask for.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { ConnectionConfig } from './config';
import {
  ApiAuthError,
  ApiPermissionError,
  ApiServerError,
  ApiTlsError,
  ApiUnreachableError,
  ApiWrongEndpointError,
  ConnectionConfigError,
  parsePermissionReason,
} from './errors';

/** Query parameters; booleans become 0/1 as the API's schema expects. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** The one read path every API module goes through; tests substitute it to count calls. */
export interface ApiReader {
  get<T>(path: string, query?: Query, options?: GetOptions): Promise<T>;
}

export interface GetOptions {
  /** Retries of a 5xx answer for this request. @default the connection's `retries` */
  readonly retries?: number;
}

interface RawResponse {
  readonly status: number;
  readonly reason: string;
  readonly contentType: string;
  readonly body: string;
}

/** The only write the client can do, and only when it logs in with a password. */
type Method = 'GET' | 'POST /access/ticket';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

class TimeoutError extends Error {}

export class ProxmoxClient implements ApiReader {
  private readonly agent: https.Agent;
  private ticket?: Promise<string>;

  constructor(
    readonly config: ConnectionConfig,
    /** Waits between retries; tests pass a fast one. */
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    let ca: Buffer | undefined;
    if (config.caFile) {
      try {
        ca = fs.readFileSync(config.caFile);
      } catch (err) {
        throw new ConnectionConfigError(
          'PROXMOX_VE_CA_FILE',
          `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          config.caFile,
          'Point it at a PEM file, e.g. a copy of /etc/pve/pve-root-ca.pem from a node.',
        );
      }
    }
    // Verification stays on unless PROXMOX_VE_INSECURE=true; a CA file adds to the system roots' job rather than disabling it.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: !config.insecure, ...(ca ? { ca } : {}) });
  }

  /** GET `path` (relative to `/api2/json`) and return the response's `data`. */
  async get<T>(path: string, query: Query = {}, options: GetOptions = {}): Promise<T> {
    const headers = await this.authHeaders();
    const retries = options.retries ?? this.config.retries;
    const res = await this.withRetries(`GET ${path}`, () => this.request('GET', path + queryString(query), headers), retries);
    return this.data<T>(`GET ${path}`, res, retries);
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const auth = this.config.auth;
    // Header `Authorization: PVEAPIToken=<tokenid>=<secret>`: pve-http-server `src/PVE/APIServer/AnyEvent.pm` (apitoken_name) and pve-manager `PVE/HTTPServer.pm`.
    if (auth.kind === 'token') return { Authorization: `PVEAPIToken=${auth.tokenId}=${auth.secret}` };
    this.ticket ??= this.login();
    return { Cookie: `PVEAuthCookie=${await this.ticket}` };
  }

  /** POST /access/ticket (pve-access-control `PVE/API2/AccessControl.pm`, `create_ticket`). */
  private async login(): Promise<string> {
    const auth = this.config.auth;
    if (auth.kind !== 'password') throw new Error('login() needs password auth');
    const form = new URLSearchParams({ username: auth.username, password: auth.password }).toString();
    const what = 'POST /access/ticket';
    const res = await this.withRetries(what, () =>
      this.request('POST /access/ticket', '/access/ticket', { 'Content-Type': 'application/x-www-form-urlencoded' }, form),
    );
    const data = this.data<{ ticket?: string }>(what, res);
    if (!data?.ticket)
      throw new ApiAuthError(
        'PROXMOX_VE_USERNAME',
        'the login returned no ticket (two-factor authentication enabled for this user?)',
        auth.username,
        'Use an API token (PROXMOX_VE_API_TOKEN) for this user instead.',
      );
    return data.ticket;
  }

  private async withRetries(what: string, send: () => Promise<RawResponse>, retries = this.config.retries): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await send();
      } catch (err) {
        const mapped = this.transportError(what, err);
        // A dropped connection is worth another try; refusals, timeouts and TLS failures are not.
        if (attempt < retries && ['ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException).code ?? '')) {
          await this.sleep(this.config.backoffMs * 2 ** attempt);
          continue;
        }
        throw mapped;
      }
      // 501 is Proxmox's "no such method/path", not a passing server fault.
      if (res.status >= 500 && res.status !== 501 && attempt < retries) {
        await this.sleep(this.config.backoffMs * 2 ** attempt);
        continue;
      }
      return res;
    }
  }

  private request(method: Method, pathAndQuery: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    const url = this.config.apiUrl + pathAndQuery;
    const httpMethod = method === 'GET' ? 'GET' : 'POST';
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: httpMethod,
          agent: this.agent,
          headers: { Accept: 'application/json', ...headers, ...(body ? { 'Content-Length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              reason: res.statusMessage ?? '',
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(this.config.timeoutMs, () => req.destroy(new TimeoutError()));
      req.on('error', reject);
      req.end(body);
    });
  }

  private transportError(what: string, err: unknown): Error {
    const host = new URL(this.config.apiUrl).host;
    if (err instanceof TimeoutError)
      return new ApiUnreachableError(
        what,
        `no answer from ${host} within ${this.config.timeoutMs / 1000} s`,
        host,
        'Check that the node is up and reachable on port 8006 from here, or raise PROXMOX_VE_TIMEOUT (seconds) for a slow link.',
      );
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (TLS_CODES.has(code))
      return new ApiTlsError(
        what,
        `the TLS certificate of ${host} is not trusted (${code})`,
        host,
        'Proxmox installs a self-signed certificate: trust its CA with PROXMOX_VE_CA_FILE=<copy of /etc/pve/pve-root-ca.pem>, or accept any certificate with PROXMOX_VE_INSECURE=true (only on a network you trust), or install a real certificate on the node.',
      );
    if (UNREACHABLE_CODES.has(code))
      return new ApiUnreachableError(
        what,
        `cannot reach ${host} (${code})`,
        host,
        'Check PROXMOX_VE_ENDPOINT (host and port 8006), that the node is up, and that no firewall drops the connection.',
      );
    return new ApiUnreachableError(what, `request failed: ${(err as Error).message}`, host, 'Check PROXMOX_VE_ENDPOINT and the network path to the node.');
  }

  /** Maps a status to a typed error, or returns the parsed `data` of a Proxmox JSON answer. */
  private data<T>(what: string, res: RawResponse, retries = this.config.retries): T {
    const parsed = parseJson(res.body);
    const message = typeof parsed?.message === 'string' ? parsed.message.trim() : '';
    const reason = message || res.reason;
    if (res.status === 401) {
      const variable = this.config.auth.kind === 'token' ? 'PROXMOX_VE_API_TOKEN' : 'PROXMOX_VE_PASSWORD';
      return fail(
        new ApiAuthError(
          what,
          `authentication failed (401 ${res.reason})`,
          this.config.auth.kind === 'token' ? this.config.auth.tokenId : this.config.auth.username,
          `Check ${variable}: the token id and secret as Proxmox showed them at creation (the token may be expired or deleted), or the user's password and realm (user@pam, user@pve).`,
        ),
      );
    }
    if (res.status === 403) {
      const { aclPath, privileges } = parsePermissionReason(reason);
      return fail(new ApiPermissionError(what, aclPath, privileges, reason));
    }
    const isJson = parsed !== undefined && typeof parsed === 'object' && parsed !== null && 'data' in parsed;
    if (!isJson || res.status === 404 || res.status === 501) {
      return fail(
        new ApiWrongEndpointError(
          what,
          `the answer is not from the Proxmox VE API (${res.status} ${res.reason}${isJson ? '' : `, ${res.contentType || 'no content type'}`})`,
          this.config.apiUrl,
          "Set PROXMOX_VE_ENDPOINT to a node's API root, e.g. https://pve1.example.com:8006/ (port 8006, no path or /api2/json).",
        ),
      );
    }
    if (res.status >= 500)
      return fail(
        new ApiServerError(
          what,
          `the API failed (${res.status} ${reason})${retries > 0 ? ` after ${retries} retries` : ''}`,
          undefined,
          "Look at the node's pveproxy/pvedaemon logs (journalctl -u pveproxy -u pvedaemon) and try again.",
        ),
      );
    if (res.status >= 400)
      return fail(
        new ApiWrongEndpointError(
          what,
          `the API refused the request (${res.status} ${reason})`,
          undefined,
          'This Proxmox version may not support the request; doctor needs Proxmox VE 8 or newer.',
        ),
      );
    return parsed.data as T;
  }
}

function fail(err: Error): never {
  throw err;
}

function parseJson(text: string): { data?: unknown; message?: unknown } | undefined {
  try {
    return JSON.parse(text) as { data?: unknown; message?: unknown };
  } catch {
    return undefined;
  }
}

function queryString(query: Query): string {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined) as [string, string | number | boolean][];
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])).toString()}`;
}
