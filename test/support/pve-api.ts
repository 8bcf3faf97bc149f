/**
 * A stand-in Proxmox VE API for tests: a real HTTPS server on 127.0.0.1 with a self-signed
 * certificate made by `openssl` for the run, answering `/api2/json/...` paths from fixture data
 * in the envelope pve-http-server uses (`{"data": ...}`; errors carry `message` and the reason
 * in the status line — `src/PVE/APIServer/Formatter/Standard.pm`, `src/PVE/APIServer/AnyEvent.pm`).
 * It authenticates like Proxmox (API token header or ticket cookie), records every request, and
 * can inject faults: a status for the next N requests of a path, a 403 with Proxmox's wording, or
 * a delay longer than the client's timeout.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './certificates';
import { scratchDir } from './tools';

/** Data of one API path (without `/api2/json` and query), or a function of the query. */
export type Route = unknown | ((query: URLSearchParams) => unknown);

export interface RecordedRequest {
  readonly method: string;
  /** Path below `/api2/json`, without the query. */
  readonly path: string;
  readonly query: string;
  /** Whether the request carried credentials (never their value). */
  readonly authenticated: boolean;
}

export interface Fault {
  readonly status: number;
  readonly reason: string;
  /** How many requests of the path it answers before the real data comes back. @default Infinity */
  readonly times?: number;
  /** Delay before answering (to provoke timeouts). */
  readonly delayMs?: number;
}

export interface FakePveOptions {
  readonly routes: Readonly<Record<string, Route>>;
  /** Accepted `user@realm!tokenid=secret`. @default TEST_TOKEN */
  readonly token?: string;
  /** Accepted user and password for the ticket login. @default TEST_USER / TEST_PASSWORD */
  readonly user?: string;
  readonly password?: string;
}

export const TEST_TOKEN = 'pvestack@pve!doctor=0b7cbd5e-8a8c-4b7e-9d2b-5a3c1f0e9d11';
export const TEST_USER = 'pvestack@pve';
export const TEST_PASSWORD = 'correct horse battery staple';
const TICKET = 'PVE:pvestack@pve:6749A1B2::fakeTicketSignature';

export interface FakePve {
  /** `https://127.0.0.1:<port>/` — what PROXMOX_VE_ENDPOINT holds. */
  readonly endpoint: string;
  /** PEM file of the server's self-signed certificate (for PROXMOX_VE_CA_FILE). */
  readonly caFile: string;
  readonly requests: RecordedRequest[];
  /** Makes the next requests of `path` fail (or wait). */
  fault(path: string, fault: Fault): void;
  /** Replaces (or adds) the data of one path. */
  route(path: string, data: Route): void;
  /** Environment variables for a token login against this server. */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export async function startFakePve(opts: FakePveOptions): Promise<FakePve> {
  const { dir, cleanup } = scratchDir('pvestack-pve-');
  // Self-signed, like a fresh Proxmox install's.
  const { key, cert, certFile } = selfSignedCert(dir, 'pve-test');
  const routes = new Map<string, Route>(Object.entries(opts.routes));
  const faults = new Map<string, { fault: Fault; left: number }>();
  const requests: RecordedRequest[] = [];
  const token = opts.token ?? TEST_TOKEN;
  const user = opts.user ?? TEST_USER;
  const password = opts.password ?? TEST_PASSWORD;

  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, reason: string, body: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, reason, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify(body));
      };
      if (!url.pathname.startsWith('/api2/json/')) {
        res.writeHead(404, 'Not Found', { 'Content-Type': 'text/html' });
        res.end('<html><body>not here</body></html>');
        return;
      }
      const apiPath = url.pathname.slice('/api2/json'.length);
      const authHeader = String(req.headers.authorization ?? '');
      const cookie = String(req.headers.cookie ?? '');
      const authenticated = authHeader === `PVEAPIToken=${token}` || cookie.includes(`PVEAuthCookie=${TICKET}`);
      requests.push({ method: req.method ?? '', path: apiPath, query: url.search, authenticated: authHeader !== '' || cookie !== '' });

      if (req.method === 'POST' && apiPath === '/access/ticket') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        // pve-access-control `create_ticket`: 401 "authentication failure" on a bad password.
        if (form.get('username') !== user || form.get('password') !== password) return send(401, 'authentication failure', { data: null });
        return send(200, 'OK', { data: { username: user, ticket: TICKET, CSRFPreventionToken: '6749A1B2:fakeCsrf' } });
      }
      if (!authenticated) return send(401, authHeader ? 'invalid token value!' : 'No ticket', { data: null });
      // pve-manager PVE/HTTPServer.pm only allows writes with a CSRF token; this stand-in allows no writes at all.
      if (req.method !== 'GET') return send(501, `Method '${req.method} ${url.pathname}' not implemented`, { data: null });

      const active = faults.get(apiPath);
      if (active && active.left > 0) {
        active.left -= 1;
        const answer = () =>
          send(active.fault.status, active.fault.reason, { data: null, ...(active.fault.status >= 400 ? { message: `${active.fault.reason}\n` } : {}) });
        if (active.fault.delayMs) setTimeout(answer, active.fault.delayMs);
        else answer();
        return;
      }
      if (!routes.has(apiPath))
        return send(501, `Method 'GET ${url.pathname}' not implemented`, { data: null, message: `Method 'GET ${url.pathname}' not implemented\n` });
      const route = routes.get(apiPath);
      send(200, 'OK', { data: typeof route === 'function' ? (route as (q: URLSearchParams) => unknown)(url.searchParams) : route });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `https://127.0.0.1:${port}/`;
  return {
    endpoint,
    caFile: certFile,
    requests,
    fault: (p, fault) => faults.set(p, { fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    route: (p, data) => routes.set(p, data),
    env: (extra = {}) => ({ PROXMOX_VE_ENDPOINT: endpoint, PROXMOX_VE_API_TOKEN: token, PROXMOX_VE_CA_FILE: certFile, ...extra }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cleanup();
    },
  };
}
