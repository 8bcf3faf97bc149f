import { describe, expect, it } from 'vitest';
import { healthBudgetSeconds, releaseFiles, releaseId, serviceFingerprint, stackRelease, startOrder } from '../../deploy/release';
import { fingerprintOfBlob, fingerprintOfPublicKey, knownHostsFingerprints, knownHostsLine } from '../../deploy/host-keys';
import type { RenderedStack } from '../../templates/artifacts';
import { renderCompose } from '../../templates/compose/render-compose';
import { createHash, createHmac } from 'node:crypto';

const stack = (webEnv: Record<string, string> = {}, conf = 'a=1\n'): RenderedStack => {
  const compose = renderCompose({
    services: [
      { name: 'web', image: 'w:1', dependsOn: ['db'], volumes: ['./conf:/etc/conf:ro'], env: webEnv, secrets: ['token'] },
      {
        name: 'db',
        image: 'p:16',
        healthcheck: { test: ['CMD', 'true'], intervalSeconds: 10, timeoutSeconds: 5, retries: 6, startPeriodSeconds: 30 },
        stateful: true,
      },
    ],
  });
  return {
    name: 'app',
    composeFile: 'compose.yaml',
    guest: 'h',
    files: [
      { path: 'compose.yaml', content: compose.text },
      { path: 'conf/app.conf', content: conf },
    ],
    secretFiles: compose.secretFiles,
    services: compose.services,
  };
};
const values = new Map([['token', 'v1-token-value']]);
const KEY = 'k'.repeat(64);

describe('release identity (typed, no YAML read back)', () => {
  it('the same content gives the same id; a secret change gives a new one; another host key another id', () => {
    const a = releaseId(releaseFiles(stack(), values), KEY);
    expect(releaseId(releaseFiles(stack(), values), KEY)).toBe(a);
    expect(releaseId(releaseFiles(stack(), new Map([['token', 'v2-token-value']])), KEY)).not.toBe(a);
    expect(releaseId(releaseFiles(stack(), values), 'other-key')).not.toBe(a);
    expect(releaseFiles(stack(), values).find((f) => f.path === 'secrets/web.env')).toMatchObject({
      mode: 0o600,
      secret: true,
      content: 'TOKEN=v1-token-value\n',
    });
  });

  it('fingerprints change only for the service whose definition or read files changed', () => {
    const fp = (s: RenderedStack, v = values) => Object.fromEntries(s.services.map((x) => [x.name, serviceFingerprint(x, releaseFiles(s, v), KEY)]));
    const base = fp(stack());
    expect(fp(stack({}, 'a=2\n'))).toEqual({ ...base, web: expect.not.stringMatching(base.web!) });
    expect(fp(stack({ EXTRA: '1' })).db).toBe(base.db);
    expect(fp(stack({ EXTRA: '1' })).web).not.toBe(base.web);
    // A rotated secret restarts the service that reads it, and only that one.
    const rotated = fp(stack(), new Map([['token', 'rotated-token-value']]));
    expect(rotated.db).toBe(base.db);
    expect(rotated.web).not.toBe(base.web);
  });

  it('fingerprints cannot confirm a guessed secret without the host key', () => {
    const s = stack();
    const files = releaseFiles(s, values);
    const web = s.services.find((x) => x.name === 'web')!;
    const fpr = serviceFingerprint(web, files, KEY);
    // An unkeyed hash over the same material (what an attacker could compute) does not match.
    const unkeyed = createHash('sha256')
      .update(JSON.stringify(files.map((f) => [f.path, f.content])))
      .digest('hex');
    expect(unkeyed.startsWith(fpr)).toBe(false);
    expect(serviceFingerprint(web, files, 'guess')).not.toBe(fpr);
  });

  it('orders services after their dependencies, and budgets health waits from the typed healthcheck', () => {
    const s = stack();
    expect(startOrder(s.services)).toEqual(['db', 'web']);
    expect(healthBudgetSeconds(s.services.find((x) => x.name === 'db')!)).toBe(30 + 15 * 7);
    expect(healthBudgetSeconds(s.services.find((x) => x.name === 'web')!)).toBe(0);
    expect(stackRelease(s, values, KEY).services.map((x) => [x.name, x.stateful, x.dependsOn])).toEqual([
      ['db', true, []],
      ['web', false, ['db']],
    ]);
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
