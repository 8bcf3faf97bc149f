/**
 * The public entry point: nginx in front of the Next.js replicas, plus a certbot sidecar that
 * renews certificates through the webroot (nginx reloads every 6 hours to pick them up).
 * First issuance is a one-off the operator runs once DNS points at the proxy (see the note in
 * compose.yaml); until then nginx cannot load the certificate and keeps restarting.
 */
import type { NginxProxyStackSpec } from '../../model';
import { guestByName } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { NginxConfInput, renderNginxConf } from '../nginx/nginx-conf';
import { nextjsPortsOn } from './nextjs';
import { isLoopback, publish, StackContext, StackParts } from './types';

export const NGINX_DEFAULT_IMAGE = 'nginx:1.27-alpine';
export const CERTBOT_IMAGE = 'certbot/certbot:v2.11.0';
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
  };
}

export function nginxProxyStack(ctx: StackContext, stack: NginxProxyStackSpec): StackParts {
  const tls = stack.tls ?? 'certbot';
  const volumes = ['./nginx.conf:/etc/nginx/nginx.conf:ro'];
  if (tls === 'certbot') volumes.push('/etc/letsencrypt:/etc/letsencrypt:ro', `${WEBROOT}:${WEBROOT}:ro`);
  if (tls === 'provided') volumes.push(`${PROVIDED_TLS_DIR}/${stack.serverName}:${PROVIDED_TLS_DIR}:ro`);
  const nginx: ServiceDefinition = {
    name: 'nginx',
    image: stack.image ?? NGINX_DEFAULT_IMAGE,
    ...(tls === 'certbot' ? { command: ['sh', '-c', 'while :; do sleep 6h; nginx -s reload; done & exec nginx -g "daemon off;"'] } : {}),
    ports: tls === 'none' ? [publish(ctx.guest, 80)] : [publish(ctx.guest, 80), publish(ctx.guest, 443)],
    volumes,
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/healthz'], intervalSeconds: 15, timeoutSeconds: 5, retries: 3 },
  };
  const services: ServiceDefinition[] = [nginx];
  const notes: string[] = [];
  if (tls === 'certbot') {
    services.push({
      name: 'certbot',
      image: CERTBOT_IMAGE,
      entrypoint: ['sh', '-c', `while :; do certbot renew --webroot -w ${WEBROOT} --quiet; sleep 12h; done`],
      volumes: ['/etc/letsencrypt:/etc/letsencrypt', `${WEBROOT}:${WEBROOT}`],
    });
    notes.push(
      'First certificate (once, after DNS points here):',
      `  docker run --rm -p 80:80 -v /etc/letsencrypt:/etc/letsencrypt ${CERTBOT_IMAGE} certonly --standalone -d ${stack.serverName} --agree-tos -m <admin email> -n`,
    );
  }
  if (tls === 'provided') notes.push(`TLS: place fullchain.pem and privkey.pem in ${PROVIDED_TLS_DIR}/${stack.serverName}/ on the guest.`);
  return { services, files: [{ path: 'nginx.conf', content: renderNginxConf(nginxConfInput(ctx, stack)) }], notes };
}
