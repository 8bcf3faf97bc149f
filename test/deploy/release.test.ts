import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { changedServices, durationSeconds, healthBudgetSeconds, releaseFiles, releaseHash, releaseId, serviceFingerprints, startOrder } from '../../deploy/release';
import { fingerprintOfBlob, fingerprintOfPublicKey, knownHostsFingerprints, knownHostsLine } from '../../deploy/host-keys';
import type { RenderedStack } from '../../templates/artifacts';
import { createHmac } from 'node:crypto';

const stack = (web: Record<string, unknown>, conf = 'a=1\n'): RenderedStack => ({
  name: 'app',
  guest: 'h',
  files: [
    { path: 'compose.yaml', content: stringify({ services: { web: { image: 'w:1', depends_on: { db: { condition: 'service_healthy' } }, volumes: ['./conf:/etc/conf:ro'], ...web }, db: { image: 'p:16', healthcheck: { test: ['CMD', 'true'], interval: '10s', timeout: '5s', retries: 6, start_period: '30s' } } } }) },
    { path: 'conf/app.conf', content: conf },
  ],
  secretFiles: [{ path: 'secrets/web.env', entries: [{ variable: 'TOKEN', secret: 'token' }] }],
  services: [],
});
const values = new Map([['token', 'v1']]);

describe('release identity', () => {
  it('the same content gives the same hash; a secret change gives a new one', () => {
    const a = releaseHash(releaseFiles(stack({}), values));
    expect(releaseHash(releaseFiles(stack({}), values))).toBe(a);
    expect(releaseHash(releaseFiles(stack({}), new Map([['token', 'v2']])))).not.toBe(a);
    expect(releaseFiles(stack({}), values).find((f) => f.path === 'secrets/web.env')).toMatchObject({ mode: 0o600, secret: true, content: 'TOKEN=v1\n' });
  });

  it('fingerprints change only for the service whose block or bind-mounted files changed', () => {
    const base = serviceFingerprints(stack({}), releaseFiles(stack({}), values));
    const confChanged = serviceFingerprints(stack({}, 'a=2\n'), releaseFiles(stack({}, 'a=2\n'), values));
    expect(changedServices({ id: 'x', stack: 'app', hash: '', services: base, deployedBy: '', createdAt: '' }, confChanged)).toEqual(['web']);
    expect(changedServices(undefined, base)).toEqual(['db', 'web']);
  });

  it('orders services after their dependencies, and budgets health waits from the healthcheck', () => {
    const s = stack({});
    expect(startOrder(s, releaseFiles(s, values))).toEqual(['db', 'web']);
    expect(healthBudgetSeconds(s, releaseFiles(s, values))).toEqual({ db: 30 + 15 * 7 });
    expect(durationSeconds('1m30s')).toBe(90);
  });

  it('release ids sort by time', () => {
    expect(releaseId(new Date('2026-01-02T03:04:05.678Z'), 'abcdef0123')).toBe('20260102T030405678Z-abcdef01');
  });
});

describe('host keys', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const pub = `ssh-ed25519 ${blob.toString('base64')} me@host`;

  it('fingerprints a key like ssh-keygen -lf', () => {
    expect(fingerprintOfPublicKey(pub)).toBe(fingerprintOfBlob(blob));
    expect(fingerprintOfBlob(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('reads plain and hashed known_hosts entries for [host]:port', () => {
    const salt = Buffer.alloc(20, 1);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64')}`;
    const text = `# c\n[10.0.0.5]:2222 ssh-ed25519 ${blob.toString('base64')}\n${hashed} ssh-ed25519 ${blob.toString('base64')}\n10.0.0.6 ssh-ed25519 AAAA\n`;
    expect(knownHostsFingerprints(text, '10.0.0.5', 2222)).toEqual([fingerprintOfBlob(blob), fingerprintOfBlob(blob)]);
    expect(knownHostsFingerprints(text, '10.0.0.5', 22)).toEqual([]);
    expect(knownHostsLine('10.0.0.5', 22, blob)).toBe(`10.0.0.5 ssh-ed25519 ${blob.toString('base64')}\n`);
  });
});
