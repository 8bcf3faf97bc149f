import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpusOf, NginxProxyStackSpec } from '../../../model';
import { environmentNames, loadEnvironment } from '../../../stacks/registry';
import { Http2Style, NginxConfInput, nginxHttp2Style, renderNginxBootstrapConf, renderNginxConf } from '../../../templates/nginx/nginx-conf';
import { nginxConfInput } from '../../../templates/stacks/nginx-proxy';
import { selfSignedCert } from '../../support/certificates';
import { describeWithTools, scratchDir } from '../../support/tools';

/** Every nginx-proxy stack of every registered environment, plus its TLS variants. */
function proxies(): { id: string; input: NginxConfInput }[] {
  const out: { id: string; input: NginxConfInput }[] = [];
  for (const name of environmentNames()) {
    const env = loadEnvironment(name);
    for (const guest of env.guests)
      guest.stacks.forEach((stack, i) => {
        if (stack.kind !== 'nginx-proxy') return;
        const ctx = { env, guest, gpus: gpusOf(env, guest), options: {} };
        for (const tls of ['certbot', 'provided', 'none'] as const)
          out.push({ id: `${name}-${guest.name}-${i}-${tls}`, input: nginxConfInput(ctx, { ...stack, tls } as NginxProxyStackSpec) });
      });
  }
  return out;
}

describeWithTools('rendered nginx.conf passes nginx -t', ['nginx', 'openssl'], () => {
  const scratch = scratchDir('pvestack-nginx-');
  let cert = '';
  let key = '';
  beforeAll(() => {
    ({ certFile: cert, keyFile: key } = selfSignedCert(scratch.dir, 'localhost'));
  });
  afterAll(() => scratch.cleanup());

  /**
   * The HTTP/2 switch the local nginx understands: the rendered files use the pinned image's
   * (`http2 on;` for nginx ≥ 1.25.1), and Debian 12 ships 1.22, which only knows the listen parameter.
   */
  const localHttp2 = (): Http2Style => nginxHttp2Style(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr);

  /** The container paths swapped for the scratch dir; everything else exactly as rendered. */
  function testable(
    id: string,
    input: NginxConfInput,
    render: (i: NginxConfInput) => string = renderNginxConf,
    http2: Http2Style = localHttp2(),
  ): { conf: string; prefix: string } {
    const prefix = path.join(scratch.dir, id);
    fs.mkdirSync(path.join(prefix, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(prefix, 'temp'), { recursive: true });
    const conf = path.join(prefix, 'nginx.conf');
    const { user: _user, ...rest } = input;
    fs.writeFileSync(
      conf,
      render({
        ...rest,
        http2,
        ...(input.tls === 'none' ? {} : { certificate: cert, certificateKey: key }),
        httpListen: '127.0.0.1:18080',
        httpsListen: '127.0.0.1:18443',
        acmeWebroot: path.join(prefix, 'webroot'),
        pidFile: 'logs/nginx.pid',
        errorLog: 'logs/error.log',
        accessLog: 'logs/access.log',
        tempDir: 'temp',
      }),
    );
    return { conf, prefix: `${prefix}/` };
  }

  const cases = proxies();
  it('finds proxies to test', () => expect(cases.length).toBeGreaterThanOrEqual(6));

  it.each(cases)('$id', ({ id, input }) => {
    const { conf, prefix } = testable(id, input);
    const r = spawnSync('nginx', ['-t', '-c', conf, '-p', prefix, '-e', path.join(prefix, 'logs/error.log')], { encoding: 'utf8' });
    expect(r.stderr).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  it.each(cases.filter((c) => c.input.tls !== 'none'))('$id bootstrap (no certificate yet)', ({ id, input }) => {
    const { conf, prefix } = testable(`${id}-bootstrap`, input, renderNginxBootstrapConf);
    const r = spawnSync('nginx', ['-t', '-c', conf, '-p', prefix, '-e', path.join(prefix, 'logs/error.log')], { encoding: 'utf8' });
    expect(r.stderr).toContain('test is successful');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(conf, 'utf8')).not.toContain('ssl_certificate');
  });

  it('the HTTP/2 switch follows the server version (the check is real)', () => {
    const tlsCase = cases.find((c) => c.input.tls !== 'none')!;
    const other: Http2Style = localHttp2() === 'directive' ? 'listen-parameter' : 'directive';
    const { conf, prefix } = testable('other-http2', tlsCase.input, renderNginxConf, other);
    const r = spawnSync('nginx', ['-t', '-c', conf, '-p', prefix, '-e', path.join(prefix, 'logs/error.log')], { encoding: 'utf8' });
    // An old nginx rejects `http2 on;`; a new one accepts the old parameter with a deprecation warning.
    if (other === 'directive') expect(r.stderr).toContain('unknown directive "http2"');
    else expect(r.stderr).toContain('deprecated');
  });

  it('rejects a broken variant (the check is real)', () => {
    const { conf, prefix } = testable('broken', { ...cases[0]!.input, upstreams: ['10.0.0.1:3000 max_fail=2'] });
    const r = spawnSync('nginx', ['-t', '-c', conf, '-p', prefix, '-e', path.join(prefix, 'logs/error.log')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('max_fail');
  });
});

describe('nginx.conf content', () => {
  const env = loadEnvironment('production');
  const proxy = env.guests.find((g) => g.name === 'proxy')!;
  const text = renderNginxConf(nginxConfInput({ env, guest: proxy, gpus: [], options: {} }, proxy.stacks[0] as NginxProxyStackSpec));

  it('balances across both web replicas with passive health checks', () => {
    expect(text).toContain('server 10.20.0.11:3000 max_fails=3 fail_timeout=30s;');
    expect(text).toContain('server 10.20.0.12:3000 max_fails=3 fail_timeout=30s;');
  });

  it('redirects HTTP to HTTPS, keeps the ACME webroot, rate limits and sets security headers', () => {
    expect(text).toContain('return 301 https://$host$request_uri;');
    expect(text).toContain('location /.well-known/acme-challenge/');
    expect(text).toMatch(/limit_req_zone \$binary_remote_addr zone=perip:10m rate=20r\/s;/);
    expect(text).toContain('limit_req zone=perip burst=40 nodelay;');
    expect(text).toContain('Strict-Transport-Security');
    expect(text).toContain('X-Content-Type-Options');
    expect(text).toContain('ssl_certificate /etc/letsencrypt/live/learn.example.org/fullchain.pem;');
    expect(text).toContain('proxy_set_header Upgrade $http_upgrade;');
  });

  it('switches HTTP/2 on with the directive of the pinned nginx 1.27, not the deprecated listen parameter', () => {
    expect(text).toContain('listen 443 ssl;\n    http2 on;');
    expect(text).not.toMatch(/listen [^;]*http2/);
    expect(nginxHttp2Style('nginx:1.24.0-alpine')).toBe('listen-parameter');
    expect(nginxHttp2Style('nginx:1.25.1')).toBe('directive');
    expect(nginxHttp2Style('nginx version: nginx/1.22.1')).toBe('listen-parameter');
  });

  it('does not count Next.js build assets against the per-IP rate limit', () => {
    const statics = text.split('location /_next/static/ {')[1]!.split('}')[0]!;
    expect(statics).toContain('proxy_pass http://app;');
    expect(statics).not.toContain('limit_req');
    expect(
      text
        .split('location / {')
        .slice(1)
        .every((loc) => loc.includes('limit_req zone=perip') || loc.includes('return 301')),
    ).toBe(true);
  });
});
