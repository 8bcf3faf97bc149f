import { describe, expect, it } from 'vitest';
import {
  acquireLock,
  compose,
  composeLogs,
  composePs,
  composeUp,
  detectCompose,
  ensureNetworks,
  lockStatus,
  prepareUpload,
  pruneReleases,
  readCurrentRelease,
  releaseLock,
  sealRelease,
  serviceHealth,
  shq,
  switchCurrent,
  toShell,
  uploadRelease,
} from '../../deploy/commands';

const ROOT = '/opt/pvestack';

describe('deploy command builders (exact argv)', () => {
  it('acquireLock creates the lock directory atomically with mkdir and exits 75 with the holder when held', () => {
    expect(acquireLock(ROOT, { holder: 'alice@laptop', since: '2026-01-01T00:00:00.000Z', commit: 'abc1234', env: 'prod' })).toEqual([
      'sh',
      '-c',
      `mkdir -p /opt/pvestack && if mkdir /opt/pvestack/.lock 2>/dev/null; then printf '%s\\n' '{"holder":"alice@laptop","since":"2026-01-01T00:00:00.000Z","commit":"abc1234","env":"prod"}' > /opt/pvestack/.lock/info; else cat /opt/pvestack/.lock/info 2>/dev/null; exit 75; fi`,
    ]);
  });

  it('releaseLock and lockStatus', () => {
    expect(releaseLock(ROOT)).toEqual(['rm', '-rf', '--', '/opt/pvestack/.lock']);
    expect(lockStatus(ROOT)).toEqual(['sh', '-c', "if [ -d /opt/pvestack/.lock ]; then cat /opt/pvestack/.lock/info 2>/dev/null || echo '{}'; fi"]);
  });

  it('uploads into a .partial directory, seals with mv -T, and switches current via a temp symlink + mv -T', () => {
    expect(prepareUpload(ROOT, 'web', 'R1')).toEqual(['sh', '-c', 'mkdir -p /opt/pvestack/web/releases && rm -rf /opt/pvestack/web/releases/*.partial && mkdir /opt/pvestack/web/releases/R1.partial']);
    expect(uploadRelease(ROOT, 'web', 'R1')).toEqual(['sh', '-c', 'umask 077 && tar -x -p --no-same-owner -C /opt/pvestack/web/releases/R1.partial']);
    expect(sealRelease(ROOT, 'web', 'R1')).toEqual(['mv', '-T', '/opt/pvestack/web/releases/R1.partial', '/opt/pvestack/web/releases/R1']);
    expect(switchCurrent(ROOT, 'web', 'R1')).toEqual(['sh', '-c', 'ln -sfn releases/R1 /opt/pvestack/web/.current.tmp && mv -T /opt/pvestack/web/.current.tmp /opt/pvestack/web/current']);
    expect(readCurrentRelease(ROOT, 'web')).toEqual(['sh', '-c', 'if t=$(readlink /opt/pvestack/web/current); then echo "$t"; cat /opt/pvestack/web/current/.pvestack-release.json 2>/dev/null; fi; true']);
  });

  it('compose v1 and v2 run through the current link with a stable project name', () => {
    expect(compose('v1', ROOT, 'web', 'web')).toEqual(['docker-compose', '--project-name', 'web', '--project-directory', '/opt/pvestack/web/current', '--file', '/opt/pvestack/web/current/compose.yaml']);
    expect(compose('v2', ROOT, 'web', 'web').slice(0, 3)).toEqual(['docker', 'compose', '--project-name']);
    expect(detectCompose()[2]).toContain('docker compose version');
  });

  it('composeUp: full runs remove orphans; rolling runs one service with --no-deps; never down or -v', () => {
    const base = ['docker-compose', '-p', 'web'];
    expect(composeUp(base)).toEqual(['docker-compose', '-p', 'web', 'up', '-d', '--remove-orphans']);
    expect(composeUp(base, { services: ['web-1'], forceRecreate: true })).toEqual(['docker-compose', '-p', 'web', 'up', '-d', '--no-deps', '--force-recreate', 'web-1']);
    expect(composePs(base)).toEqual(['docker-compose', '-p', 'web', 'ps']);
    expect(composeLogs(base, 'web', 40)).toEqual(['docker-compose', '-p', 'web', 'logs', '--no-color', '--tail', '40', 'web']);
    for (const argv of [composeUp(base), composeUp(base, { services: ['x'] })]) {
      expect(argv).not.toContain('down');
      expect(argv).not.toContain('-v');
    }
  });

  it('serviceHealth reads compose labels; ensureNetworks creates missing external networks', () => {
    expect(serviceHealth('web', 'db')).toEqual([
      'sh',
      '-c',
      "docker ps -aq --filter label=com.docker.compose.project=web --filter label=com.docker.compose.service=db | xargs -r docker inspect --format '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'",
    ]);
    expect(ensureNetworks(['pvestack-prod'])).toEqual(['sh', '-c', '{ docker network inspect pvestack-prod >/dev/null 2>&1 || docker network create pvestack-prod >/dev/null; }']);
  });

  it('pruneReleases keeps the newest N and never the current one or an upload in progress', () => {
    expect(pruneReleases(ROOT, 'web', 5)).toEqual([
      'sh',
      '-c',
      `cd /opt/pvestack/web/releases && cur=$(basename "$(readlink ../current)" 2>/dev/null); ls -1 | grep -v '\\.partial$' | sort -r | tail -n +6 | while read -r r; do [ "$r" = "$cur" ] || rm -rf -- "$r"; done`,
    ]);
  });

  it('quotes words for the shell only when needed', () => {
    expect(shq('/opt/pvestack')).toBe('/opt/pvestack');
    expect(shq("it's")).toBe(`'it'\\''s'`);
    expect(toShell(['echo', 'a b', '$HOME'])).toBe(`echo 'a b' '$HOME'`);
  });
});
