/**
 * nginx reverse proxy: round robin over the upstreams with passive health checks
 * (`max_fails`/`fail_timeout`), TLS from certbot or provided files, HTTP → HTTPS, security
 * headers, per-client rate limiting, forwarded headers and websocket upgrades. Every path the
 * server touches is an input, so the same text runs in the container and under `nginx -t`.
 */

export interface NginxConfInput {
  readonly serverName: string;
  /** `10.20.0.11:3000` (IPs, so that nginx starts without DNS). */
  readonly upstreams: readonly string[];
  readonly tls: 'certbot' | 'provided' | 'none';
  readonly certificate?: string;
  readonly certificateKey?: string;
  readonly rateLimitPerSecond: number;
  /** `80`, `127.0.0.1:18080`. */
  readonly httpListen: string;
  readonly httpsListen: string;
  /** certbot's webroot for HTTP-01 challenges. */
  readonly acmeWebroot: string;
  readonly pidFile: string;
  readonly errorLog: string;
  readonly accessLog: string;
  readonly mimeTypes: string;
  /** Worker user; omitted when nginx should keep its compiled-in default. */
  readonly user?: string;
  /** Directory for the *_temp_path directives; nginx's compiled-in defaults when absent. */
  readonly tempDir?: string;
  /**
   * How HTTP/2 is switched on: nginx 1.25.1 added the `http2 on;` directive and deprecated the
   * `http2` parameter of `listen` (nginx CHANGES 1.25.1; ngx_http_v2_module docs), older servers
   * only know the parameter. `nginxHttp2Style(image)` derives it from the pinned image.
   * @default 'directive'
   */
  readonly http2?: Http2Style;
}

export type Http2Style = 'directive' | 'listen-parameter';

/** `nginx:1.27-alpine` → 'directive'; `nginx:1.24` → 'listen-parameter'; unknown tags → 'directive'. */
export function nginxHttp2Style(imageOrVersion: string): Http2Style {
  const m = /(?:^|:|\/)(\d+)\.(\d+)(?:\.(\d+))?/.exec(imageOrVersion);
  if (!m) return 'directive';
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 99)];
  const modern = major > 1 || minor > 25 || (minor === 25 && patch >= 1);
  return modern ? 'directive' : 'listen-parameter';
}

/**
 * Prefixes the per-IP rate limit does not count: Next.js serves its hashed, immutable build assets
 * under `/_next/static/`, and one page load fetches dozens of them, so a classroom behind one NAT
 * address would hit 429s on assets alone.
 */
export const RATE_LIMIT_EXEMPT_PREFIXES = ['/_next/static/'] as const;

/** Failed attempts before an upstream is skipped, and for how long. */
export const PASSIVE_HEALTH = { maxFails: 3, failTimeout: '30s' } as const;

function block(head: string, body: string[], indent = ''): string[] {
  return [`${indent}${head} {`, ...body.map((l) => (l ? `${indent}  ${l}` : '')), `${indent}}`];
}

const SECURITY_HEADERS = [
  'add_header X-Content-Type-Options "nosniff" always;',
  'add_header X-Frame-Options "SAMEORIGIN" always;',
  'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
  'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;',
];

function proxyLocations(input: NginxConfInput): string[] {
  return [
    ...RATE_LIMIT_EXEMPT_PREFIXES.flatMap((prefix) => block(`location ${prefix}`, proxyDirectives())),
    ...block('location /', [`limit_req zone=perip burst=${input.rateLimitPerSecond * 2} nodelay;`, ...proxyDirectives()]),
  ];
}

function proxyDirectives(): string[] {
  return [
    'proxy_pass http://app;',
    'proxy_http_version 1.1;',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header Connection $connection_upgrade;',
    // Long enough for streamed LLM answers and websockets.
    'proxy_read_timeout 300s;',
    'proxy_next_upstream error timeout http_502 http_503;',
  ];
}

const HEALTH = block('location = /healthz', ['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";']);

/** Where nginx-prometheus-exporter reads nginx's counters (ngx_http_stub_status_module), from 127.0.0.1 only. */
export const STUB_STATUS_PATH = '/stub_status';
const STUB_STATUS = block(`location = ${STUB_STATUS_PATH}`, ['stub_status;', 'access_log off;', 'allow 127.0.0.1;', 'deny all;']);

function tempPaths(input: NginxConfInput): string[] {
  return input.tempDir ? ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${input.tempDir}/${t};`) : [];
}

function document(input: NginxConfInput, http: string[]): string {
  return [
    '# Rendered by pvestack; change the environment spec, not this file.',
    ...(input.user ? [`user ${input.user};`] : []),
    'worker_processes auto;',
    `pid ${input.pidFile};`,
    `error_log ${input.errorLog} warn;`,
    '',
    ...block('events', ['worker_connections 1024;']),
    '',
    ...block('http', http),
    '',
  ].join('\n');
}

/**
 * The HTTP-only configuration nginx runs while the certificate does not exist yet (a first
 * deploy): it answers ACME HTTP-01 challenges from the webroot, so the first certificate can be
 * issued through this very server, and the health check; everything else gets a 503 that says why.
 * nginx refuses to start when an `ssl_certificate` file is missing, so without it the proxy would
 * restart in a loop until someone issued the certificate by hand.
 */
export function renderNginxBootstrapConf(input: NginxConfInput): string {
  return document(input, [
    `include ${input.mimeTypes};`,
    'default_type application/octet-stream;',
    `access_log ${input.accessLog};`,
    ...tempPaths(input),
    'server_tokens off;',
    '',
    ...block('server', [
      `listen ${input.httpListen};`,
      `server_name ${input.serverName};`,
      ...block('location /.well-known/acme-challenge/', [`root ${input.acmeWebroot};`]),
      ...HEALTH,
      ...block('location /', [
        'default_type text/plain;',
        'return 503 "TLS certificate not issued yet; see the compose.yaml notes of the nginx-proxy stack\\n";',
      ]),
    ]),
  ]);
}

export function renderNginxConf(input: NginxConfInput): string {
  const tls = input.tls !== 'none';
  const temp = tempPaths(input);
  const httpServer = tls
    ? block('server', [
        `listen ${input.httpListen};`,
        `server_name ${input.serverName};`,
        ...block('location /.well-known/acme-challenge/', [`root ${input.acmeWebroot};`]),
        ...HEALTH,
        ...STUB_STATUS,
        ...block('location /', ['return 301 https://$host$request_uri;']),
      ])
    : block('server', [
        `listen ${input.httpListen};`,
        `server_name ${input.serverName};`,
        ...SECURITY_HEADERS,
        ...HEALTH,
        ...STUB_STATUS,
        ...proxyLocations(input),
      ]);
  const httpsServer = tls
    ? block('server', [
        ...(input.http2 === 'listen-parameter' ? [`listen ${input.httpsListen} ssl http2;`] : [`listen ${input.httpsListen} ssl;`, 'http2 on;']),
        `server_name ${input.serverName};`,
        `ssl_certificate ${input.certificate};`,
        `ssl_certificate_key ${input.certificateKey};`,
        'ssl_protocols TLSv1.2 TLSv1.3;',
        'ssl_prefer_server_ciphers off;',
        'ssl_session_cache shared:SSL:10m;',
        'ssl_session_timeout 1d;',
        'ssl_session_tickets off;',
        'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;',
        ...SECURITY_HEADERS,
        ...HEALTH,
        ...proxyLocations(input),
      ])
    : [];
  const http = [
    `include ${input.mimeTypes};`,
    'default_type application/octet-stream;',
    `access_log ${input.accessLog};`,
    ...temp,
    'sendfile on;',
    'server_tokens off;',
    'keepalive_timeout 65;',
    'client_max_body_size 25m;',
    '',
    // Upgrade for websockets; otherwise an empty Connection header keeps upstream keepalive working.
    ...block('map $http_upgrade $connection_upgrade', ['default upgrade;', "'' '';"]),
    '',
    `limit_req_zone $binary_remote_addr zone=perip:10m rate=${input.rateLimitPerSecond}r/s;`,
    'limit_req_status 429;',
    '',
    ...block('upstream app', [
      ...input.upstreams.map((u) => `server ${u} max_fails=${PASSIVE_HEALTH.maxFails} fail_timeout=${PASSIVE_HEALTH.failTimeout};`),
      'keepalive 32;',
    ]),
    '',
    ...httpServer,
    ...(httpsServer.length ? ['', ...httpsServer] : []),
  ];
  return document(input, http);
}
