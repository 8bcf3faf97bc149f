import { describe, expect, it } from 'vitest';
import { diffArtifacts, fileKind, unifiedDiff } from '../../diff/index';

describe('diffArtifacts', () => {
  it('groups by guest and stack and classifies rendered files', () => {
    const changes = diffArtifacts(
      new Map([['db/postgres/postgresql.conf', 'shared_buffers = 4GB\n']]),
      new Map([
        ['db/postgres/postgresql.conf', 'shared_buffers = 8GB\n'],
        ['web/proxy/nginx/nginx.conf', 'events {}\n'],
      ]),
    );
    expect(changes.map((c) => [c.guest, c.stack, c.status, c.files.map((f) => [f.path, f.kind, f.status])])).toEqual([
      ['db', 'postgres', 'modified', [['postgresql.conf', 'postgresql', 'modified']]],
      ['web', 'proxy', 'added', [['nginx/nginx.conf', 'nginx', 'added']]],
    ]);
    expect(changes[0]!.files[0]!.unified).toContain('-shared_buffers = 4GB\n+shared_buffers = 8GB');
  });

  it('compares compose services as the typed facts the writer keeps: image tags, env keys and healthchecks', () => {
    const before = 'services:\n  api:\n    image: a:1\n';
    const after = 'services:\n  api:\n    image: a:2\n';
    const [c] = diffArtifacts(new Map([['h/s/compose.yaml', before]]), new Map([['h/s/compose.yaml', after]]), {
      base: { 'h/s/compose.yaml': { api: { image: 'a:1', environment: { A: '1', B: '2' } }, old: { image: 'o:1', environment: {} } } },
      head: { 'h/s/compose.yaml': { api: { image: 'a:2', environment: { A: '1', C: '3' }, healthcheck: { test: ['CMD', 'true'] } } } },
    });
    expect(c!.images).toEqual([
      { service: 'api', before: 'a:1', after: 'a:2' },
      { service: 'old', before: 'o:1' },
    ]);
    expect(c!.envAdded).toEqual(['api.C']);
    expect(c!.envRemoved).toEqual(['api.B']);
    expect(c!.healthchecks).toEqual([{ service: 'api', change: 'added' }]);
    expect(c!.files.map((f) => f.status)).toEqual(['modified']);
  });

  it('an added stack lists its images; a revision that kept no facts is compared as text only', () => {
    const file = 'services:\n  api:\n    image: a:1\n';
    const head = { 'h/s/compose.yaml': { api: { image: 'a:1', environment: {} } } };
    const [added] = diffArtifacts(new Map(), new Map([['h/s/compose.yaml', file]]), { head });
    expect(added!.status).toBe('added');
    expect(added!.images).toEqual([{ service: 'api', after: 'a:1' }]);
    const [older] = diffArtifacts(new Map([['h/s/compose.yaml', 'services: {}\n']]), new Map([['h/s/compose.yaml', file]]), { head });
    expect(older!.images).toEqual([]);
    expect(older!.files[0]!.unified).toContain('+    image: a:1');
  });

  it('masks secret values in unified diffs but keeps the keys', () => {
    const compose = (pw: string) => `services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${pw}\n`;
    const facts = (pw: string) => ({ 'db/pg/compose.yaml': { db: { image: 'postgres:16', environment: { POSTGRES_PASSWORD: pw } } } });
    const [c] = diffArtifacts(
      new Map([
        ['db/pg/compose.yaml', compose('hunter2')],
        ['db/pg/app.env', 'API_KEY=abc\nMODE=x\n'],
      ]),
      new Map([
        ['db/pg/compose.yaml', compose('hunter3')],
        ['db/pg/app.env', 'API_KEY=def\nMODE=y\n'],
      ]),
      { base: facts('hunter2'), head: facts('hunter3') },
    );
    const text = JSON.stringify(c);
    expect(text).not.toMatch(/hunter|abc|def/);
    expect(c!.files.find((f) => f.kind === 'compose')!.unified).toContain('+      POSTGRES_PASSWORD: (masked)');
    expect(c!.files.find((f) => f.kind === 'env')!.unified).toContain('+MODE=(masked)');
    expect(c!.envChanged).toEqual(['app.env:API_KEY', 'app.env:MODE', 'db.POSTGRES_PASSWORD']);
  });

  it('sees a secret moved to another deployer variable in an env template, and masks where it now comes from', () => {
    const template = (from: string) =>
      `# Each variable takes its value from the deployer environment variable named below.\n# REDIS_PASSWORD <- secret "redis-password" (${from})\nREDIS_PASSWORD=\n`;
    const [c] = diffArtifacts(
      new Map([['cache/redis/secrets/redis.env.example', template('PVESTACK_REDIS_PASSWORD')]]),
      new Map([['cache/redis/secrets/redis.env.example', template('PVESTACK_CACHE_PASSWORD')]]),
    );
    expect(c!.envChanged).toEqual(['secrets/redis.env.example:REDIS_PASSWORD']);
    expect(c!.files[0]!.kind).toBe('env');
    expect(JSON.stringify(c)).not.toMatch(/PVESTACK_(REDIS|CACHE)_PASSWORD/);
  });

  it('is empty when nothing changed', () => {
    const tree = new Map([['a/b/compose.yaml', 'services: {}\n']]);
    expect(diffArtifacts(tree, new Map(tree))).toEqual([]);
  });

  it.each([
    ['compose.yaml', '', 'compose'],
    ['docker-compose.yml', '', 'compose'],
    ['user-data.yaml', '', 'cloud-init'],
    ['anything.yaml', '#cloud-config\n', 'cloud-init'],
    ['mnt-storagebox.automount', '', 'systemd'],
    ['pg_hba.conf', '', 'postgresql'],
    ['README', '', 'other'],
  ])('fileKind(%s) is %s', (name, content, kind) => {
    expect(fileKind(name, content)).toBe(kind);
  });
});

describe('unifiedDiff', () => {
  it('produces hunks with three lines of context', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const b = a.replace('line 10', 'line ten');
    expect(unifiedDiff(a, b)).toBe(
      ['--- base', '+++ head', '@@ -8,7 +8,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13', ''].join('\n'),
    );
  });

  it('is empty for equal texts and handles added files', () => {
    expect(unifiedDiff('x\n', 'x\n')).toBe('');
    expect(unifiedDiff('', 'a\nb\n')).toBe('--- base\n+++ head\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });
});
