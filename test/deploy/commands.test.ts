import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  breakStaleLock,
  composeBase,
  composeLogs,
  finish,
  heartbeat,
  journalLine,
  lockAndProbe,
  lockStatus,
  probe,
  recreateService,
  releaseLock,
  rollback,
  shq,
  startAll,
  toShell,
  uploadAndSwitch,
} from '../../deploy/commands';

const ROOT = '/opt/pvestack';
const WEB = { stack: 'web', project: 'web', composeFile: 'compose.yaml' };
const script = (argv: readonly string[]) => {
  expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
  return argv[2]!;
};

describe('deploy command builders (exact commands)', () => {
  it('compose v1 and v2 run through the current link with the release label override', () => {
    expect(composeBase('v1', ROOT, WEB)).toEqual([
      'docker-compose',
      '--project-name',
      'web',
      '--project-directory',
      '/opt/pvestack/web/current',
      '--file',
      '/opt/pvestack/web/current/compose.yaml',
      '--file',
      '/opt/pvestack/web/current/.pvestack-labels.json',
    ]);
    expect(composeBase('v2', ROOT, WEB).slice(0, 3)).toEqual(['docker', 'compose', '--project-name']);
    expect(composeLogs('v1', ROOT, WEB, 'db', 40).slice(-5)).toEqual(['logs', '--no-color', '--tail', '40', 'db']);
  });

  it('journal lines are JSON with the host clock appended', () => {
    expect(journalLine(ROOT, { step: 'switch', stack: 'web' })).toBe(
      `printf '%s,"at":%s}\\n' '{"step":"switch","stack":"web"' "$(date +%s)" >> /opt/pvestack/.state/journal`,
    );
  });

  it.each([
    [
      'lockAndProbe',
      lockAndProbe(ROOT, [WEB]),
      [
        'if err=$(mkdir /opt/pvestack/.lock 2>&1); then',
        'cat > /opt/pvestack/.lock/info.tmp && mv /opt/pvestack/.lock/info.tmp /opt/pvestack/.lock/info',
        'exit 75',
        'exit 74',
        'echo compose v2',
        'stack web',
        '"step":"lock"',
      ],
    ],
    ['probe', probe(ROOT, [WEB]), ['head -c 32 /dev/urandom', 'label=com.docker.compose.project=web', 'io.pvestack.config', "sed 's/^/journal /'"]],
    [
      'uploadAndSwitch',
      uploadAndSwitch(ROOT, WEB, { id: 'R2', previous: 'R1', upload: true, networks: ['pvestack-prod'] }),
      [
        'rm -rf /opt/pvestack/web/releases/*.partial',
        'mkdir /opt/pvestack/web/releases/R2.partial',
        '(umask 077 && tar -x -p --no-same-owner -C /opt/pvestack/web/releases/R2.partial)',
        'mv -T /opt/pvestack/web/releases/R2.partial /opt/pvestack/web/releases/R2',
        'docker network create pvestack-prod',
        '"previous":"R1"',
        'ln -sfn releases/R2 /opt/pvestack/web/.current.tmp\nmv -T /opt/pvestack/web/.current.tmp /opt/pvestack/web/current',
      ],
    ],
    [
      'recreateService',
      recreateService('v1', ROOT, WEB, { service: 'db', fingerprint: 'f1', seconds: 120 }),
      ['up -d --no-deps db >&2', 'w web db f1 120', '"step":"recreate:db"'],
    ],
    [
      'startAll',
      startAll('v2', ROOT, WEB, [
        { service: 'db', fingerprint: 'f1', seconds: 60 },
        { service: 'app', fingerprint: 'f2', seconds: 120 },
      ]),
      ['docker compose --project-name web', 'up -d --remove-orphans >&2', 'w web db f1 60\nw web app f2 120'],
    ],
    ['rollback', rollback('v1', ROOT, WEB, 'R1', 300), ['ln -sfn releases/R1', 'up -d --remove-orphans >&2', 'w web - - 300', '"step":"rollback"']],
    ['finish', finish(ROOT, ['web'], 5), ["ls -1t | grep -v '\\.partial$' | tail -n +6", 'rm -f /opt/pvestack/.state/journal', 'rm -rf /opt/pvestack/.lock']],
    ['releaseLock', releaseLock(ROOT), ['if [ -d /opt/pvestack/.lock ]; then rm -rf /opt/pvestack/.lock; else exit 3; fi']],
    ['lockStatus', lockStatus(ROOT), ['echo root yes', 'echo root no', 'lock $(stat -c %Y']],
    ['breakStaleLock', breakStaleLock(ROOT, '{"run":"a"}'), [`= '{"run":"a"}' ]; then rm -rf /opt/pvestack/.lock; else exit 75; fi`]],
  ])('%s', (_name, argv, parts) => {
    const text = script(argv);
    for (const part of parts) expect(text).toContain(part);
    // The host's /bin/sh (dash on Debian) parses it.
    expect(spawnSync('sh', ['-n', '-c', text], { encoding: 'utf8' }).stderr).toBe('');
    // Never data-destroying compose commands.
    expect(text).not.toMatch(/ down\b|--volumes|system prune|volume rm/);
  });

  it('upload without an archive reuses the release already on the host', () => {
    const text = script(uploadAndSwitch(ROOT, WEB, { id: 'R2', upload: false, networks: [] }));
    expect(text).not.toContain('tar');
    expect(text).not.toContain('"previous"');
    expect(text).toContain('touch /opt/pvestack/web/releases/R2');
  });

  it('heartbeat touches without creating a lock that is gone', () => {
    expect(heartbeat(ROOT)).toEqual(['touch', '-c', '/opt/pvestack/.lock/heartbeat']);
  });

  it('commands carry no value that changes per run: the same plan gives the same text', () => {
    expect(toShell(lockAndProbe(ROOT, [WEB]))).toBe(toShell(lockAndProbe(ROOT, [WEB])));
    expect(toShell(lockAndProbe(ROOT, [WEB]))).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });

  it('quotes words for the shell only when needed', () => {
    expect(shq('/opt/pvestack')).toBe('/opt/pvestack');
    expect(shq("it's")).toBe(`'it'\\''s'`);
    expect(toShell(['echo', 'a b', '$HOME'])).toBe(`echo 'a b' '$HOME'`);
  });
});
