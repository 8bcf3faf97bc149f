/**
 * The public entry point: nginx in front of the Next.js replicas, plus a certbot sidecar that
 * renews certificates through the webroot (nginx reloads every 6 hours to pick them up).
 * Until the certificate exists (a first deploy) nginx runs an HTTP-only bootstrap configuration
 * that serves the ACME webroot, so the first issuance (a one-off the operator runs once DNS points
 * at the proxy, see the note in compose.yaml) goes through the running proxy; nginx switches to
 * the full configuration within a minute of the certificate appearing.
 */
import type { NginxProxyStackSpec } from '../../model';
import { EXPORTER_PORTS, guestByName } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { NginxConfInput, nginxHttp2Style, renderNginxBootstrapConf, renderNginxConf, STUB_STATUS_PATH } from '../nginx/nginx-conf';
import { nextjsPortsOn } from './nextjs';
import { isLoopback, publish, StackContext, StackParts } from './types';

export const NGINX_DEFAULT_IMAGE = 'nginx:1.27-alpine';
export const CERTBOT_IMAGE = 'certbot/certbot:v2.11.0';
export const NGINX_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.3.0';
/** nginx-prometheus-exporter's port, published on the nginx service (the exporter shares its network namespace). */
export const NGINX_EXPORTER_PORT = EXPORTER_PORTS.nginx;
const WEBROOT = '/var/www/certbot';
const PROVIDED_TLS_DIR = '/etc/pvestack/tls';

/**
 * `ip:port` of every upstream: each Next.js replica on the named guests, else `upstreamPort`.
 * On a loopback guest (a laptop) the replicas are reached by service name on the shared network.
 */
export function upstreamAddresses(ctx: StackContext, stack: NginxProxyStackSpec): string[] {
  return stack.upstreams.flatMap((name) => {
    const peer = guestByName(ctx.env, name);
    if (!peer) return [];
    const replicas = nextjsPortsOn(peer);
    if (peer === ctx.guest && isLoopback(peer)) return replicas.map((r) => `${r.service}:${stack.upstreamPort ?? 3000}`);
    return replicas.length ? replicas.map((r) => `${peer.ipv4}:${r.hostPort}`) : [`${peer.ipv4}:${stack.upstreamPort ?? 3000}`];
  });
}

/** The nginx.conf inputs as the container sees them (tests swap the paths for `nginx -t`). */
export function nginxConfInput(ctx: StackContext, stack: NginxProxyStackSpec): NginxConfInput {
  const tls = stack.tls ?? 'certbot';
  const certDir = tls === 'certbot' ? `/etc/letsencrypt/live/${stack.serverName}` : `${PROVIDED_TLS_DIR}`;
  return {
    serverName: stack.serverName,
    upstreams: upstreamAddresses(ctx, stack),
    tls,
    ...(tls === 'none' ? {} : { certificate: `${certDir}/fullchain.pem`, certificateKey: `${certDir}/privkey.pem` }),
    rateLimitPerSecond: stack.rateLimitPerSecond ?? 20,
    httpListen: '80',
    httpsListen: '443',
    acmeWebroot: WEBROOT,
    pidFile: '/var/run/nginx.pid',
    errorLog: '/var/log/nginx/error.log',
    accessLog: '/var/log/nginx/access.log',
    mimeTypes: '/etc/nginx/mime.types',
    user: 'nginx',
    http2: nginxHttp2Style(stack.image ?? NGINX_DEFAULT_IMAGE),
  };
}

const ACTIVE_CONF = '/tmp/nginx-active.conf';
const BOOTSTRAP_CONF = '/etc/nginx/bootstrap.conf';

/**
 * The nginx container's command with TLS: link the full configuration when the certificate file
 * exists, else the bootstrap one; check every minute, switch and reload when that changes, and
 * reload every 6 hours so renewed certificates are picked up.
 */
export function nginxTlsCommand(certificate: string): string[] {
  const script = [
    `pick() { if [ -s '${certificate}' ]; then echo /etc/nginx/nginx.conf; else echo ${BOOTSTRAP_CONF}; fi; }`,
    `ln -sf "$(pick)" ${ACTIVE_CONF}`,
    `(n=0; while sleep 60; do n=$((n + 1)); want=$(pick); if [ "$(readlink ${ACTIVE_CONF})" != "$want" ] || [ $((n % 360)) -eq 0 ]; then ln -sf "$want" ${ACTIVE_CONF} && nginx -c ${ACTIVE_CONF} -s reload; fi; done) &`,
    `exec nginx -c ${ACTIVE_CONF} -g 'daemon off;'`,
  ].join('\n');
  return ['sh', '-c', script];
}

export function nginxProxyStack(ctx: StackContext, stack: NginxProxyStackSpec): StackParts {
  const tls = stack.tls ?? 'certbot';
  const input = nginxConfInput(ctx, stack);
  const volumes = ['./nginx.conf:/etc/nginx/nginx.conf:ro', ...(input.certificate ? [`./nginx-bootstrap.conf:${BOOTSTRAP_CONF}:ro`] : [])];
  if (tls === 'certbot') volumes.push('/etc/letsencrypt:/etc/letsencrypt:ro', `${WEBROOT}:${WEBROOT}:ro`);
  if (tls === 'provided') volumes.push(`${PROVIDED_TLS_DIR}/${stack.serverName}:${PROVIDED_TLS_DIR}:ro`);
  const nginx: ServiceDefinition = {
    name: 'nginx',
    image: stack.image ?? NGINX_DEFAULT_IMAGE,
    ...(input.certificate ? { command: nginxTlsCommand(input.certificate) } : {}),
    ports: [...(tls === 'none' ? [publish(ctx.guest, 80)] : [publish(ctx.guest, 80), publish(ctx.guest, 443)]), publish(ctx.guest, NGINX_EXPORTER_PORT)],
    volumes,
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/healthz'], intervalSeconds: 15, timeoutSeconds: 5, retries: 3 },
  };
  const exporter: ServiceDefinition = {
    name: 'nginx-exporter',
    image: NGINX_EXPORTER_IMAGE,
    networkMode: 'service:nginx',
    command: [`--nginx.scrape-uri=http://127.0.0.1${STUB_STATUS_PATH}`, `--web.listen-address=:${NGINX_EXPORTER_PORT}`],
    dependsOn: ['nginx'],
  };
  const services: ServiceDefinition[] = [nginx, exporter];
  const notes: string[] = [];
  if (tls === 'certbot') {
    services.push({
      name: 'certbot',
      image: CERTBOT_IMAGE,
      entrypoint: ['sh', '-c', `while :; do certbot renew --webroot -w ${WEBROOT} --quiet; sleep 12h; done`],
      volumes: ['/etc/letsencrypt:/etc/letsencrypt', `${WEBROOT}:${WEBROOT}`],
    });
    notes.push(
      'First certificate (once, after DNS points here; nginx serves the ACME webroot until then):',
      `  docker compose run --rm --entrypoint certbot certbot certonly --webroot -w ${WEBROOT} -d ${stack.serverName} --agree-tos -m <admin email> -n`,
    );
  }
  if (tls === 'provided') notes.push(`TLS: place fullchain.pem and privkey.pem in ${PROVIDED_TLS_DIR}/${stack.serverName}/ on the guest.`);
  const files = [{ path: 'nginx.conf', content: renderNginxConf(input) }];
  if (input.certificate) files.push({ path: 'nginx-bootstrap.conf', content: renderNginxBootstrapConf(input) });
  return { services, files, notes };
}
