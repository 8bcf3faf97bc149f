/**
 * The postgres service refuses to start when its data disk is not mounted: the production
 * database's rendered entrypoint, command and data volume, in a real container on the test engine
 * (the busybox image stands in for the server image: the guard runs before the image's own
 * entrypoint). The host side of the volume is an empty directory, as a `nofail` mount point is
 * when its disk did not attach; with the marker cloud-init writes on the mounted disk, the guard
 * hands over to the image's entrypoint.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { gpusOf, PostgresStackSpec } from '../../../model';
import { loadEnvironment } from '../../../stacks/registry';
import { DATA_DISK_GUARD_EXIT, DATA_DISK_MARKER } from '../../../templates/stacks/data-disk-guard';
import { postgresStack } from '../../../templates/stacks/postgres';
import { BUSYBOX_IMAGE } from '../../support/dockerd';
import { describeWithTools, scratchDir } from '../../support/tools';

const dockerHost = inject('dockerHost');

describeWithTools('postgres refuses to start without its data disk (real container)', dockerHost ? ['docker'] : ['dockerd-started-by-global-setup'], () => {
  const scratch = scratchDir('pvestack-guard-');
  afterAll(() => scratch.cleanup());
  const env = loadEnvironment('production');
  const guest = env.guests.find((g) => g.kind === 'vm' && g.stacks.some((s) => s.kind === 'postgres'))!;
  const svc = postgresStack(
    { env, guest, gpus: gpusOf(env, guest), options: {} },
    guest.stacks.find((s) => s.kind === 'postgres') as PostgresStackSpec,
  ).services.find((s) => s.name === 'postgres')!;
  const [hostData, containerData] = svc.volumes![0]!.split(':') as [string, string];
  const mountPoint = path.dirname(hostData);

  /** The rendered service, with only its data volume's host side moved into the scratch dir. */
  function start(hostDir: string) {
    const argv = [
      'run',
      '--rm',
      '-v',
      `${hostDir}:${containerData}`,
      '--entrypoint',
      svc.entrypoint![0]!,
      BUSYBOX_IMAGE,
      ...svc.entrypoint!.slice(1),
      ...svc.command!,
    ];
    return spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 60_000 });
  }

  it('renders the guard for the data disk mounted at the volume source', () => {
    expect(svc.entrypoint![0]).toBe('sh');
    expect(svc.entrypoint!.join(' ')).toContain(`${containerData}/${DATA_DISK_MARKER}`);
    expect(svc.entrypoint!.join(' ')).toContain(mountPoint);
  });

  it('refuses to start on an empty mount point (the disk did not attach) and says why', () => {
    const empty = path.join(scratch.dir, 'not-mounted', 'data');
    fs.mkdirSync(empty, { recursive: true });
    const r = start(empty);
    expect(r.status).toBe(DATA_DISK_GUARD_EXIT);
    expect(r.stderr).toContain(`refusing to start: the data disk is not mounted at ${mountPoint}`);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('hands over to the image entrypoint when the disk carries its marker', () => {
    const mounted = path.join(scratch.dir, 'mounted', 'data');
    fs.mkdirSync(mounted, { recursive: true });
    fs.writeFileSync(path.join(mounted, DATA_DISK_MARKER), '');
    const r = start(mounted);
    // busybox has no docker-entrypoint.sh: the guard got past its check and exec'd it.
    expect(r.status).not.toBe(DATA_DISK_GUARD_EXIT);
    expect(r.stderr).not.toContain('refusing to start');
    expect(r.stderr).toMatch(/docker-entrypoint\.sh/);
  });
});
