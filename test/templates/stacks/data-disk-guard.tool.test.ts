/**
 * Services refuse to start when their data disk is not mounted: the production database's and the
 * production model server's rendered entrypoint, command and disk volumes, in real containers on
 * the test engine (the busybox image stands in for the server images: the guard runs before the
 * image's own entrypoint). The host side of each disk volume is moved into a scratch directory
 * that is empty, as a `nofail` mount point is when its disk did not attach; with the markers
 * cloud-init writes on the mounted disk, the guard hands over to the image's entrypoint.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gpusOf, Guest, PostgresStackSpec, VllmStackSpec } from '../../../model';
import { loadEnvironment } from '../../../stacks/registry';
import type { ServiceDefinition } from '../../../templates/compose/service';
import { DATA_DISK_GUARD_EXIT, DATA_DISK_MARKER, MARKED_SUBDIRS } from '../../../templates/stacks/data-disk-guard';
import { postgresStack } from '../../../templates/stacks/postgres';
import { vllmStack } from '../../../templates/stacks/vllm';
import { BUSYBOX_IMAGE } from '../../support/dockerd';
import { startSshd, type TestSshd } from '../../support/sshd';
import { describeWithTools, scratchDir } from '../../support/tools';

const dockerHost = inject('dockerHost');
const env = loadEnvironment('production');

function guestWith(kind: 'postgres' | 'vllm'): Guest {
  return env.guests.find((g) => g.kind === 'vm' && g.stacks.some((s) => s.kind === kind))!;
}

function postgresService(): ServiceDefinition {
  const guest = guestWith('postgres');
  const stack = guest.stacks.find((s) => s.kind === 'postgres') as PostgresStackSpec;
  return postgresStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, stack).services.find((s) => s.name === 'postgres')!;
}

function vllmService(modelCacheDir?: string): ServiceDefinition {
  const guest = guestWith('vllm');
  const stack = guest.stacks.find((s) => s.kind === 'vllm') as VllmStackSpec;
  return vllmStack({ env, guest, gpus: gpusOf(env, guest), options: {} }, { ...stack, ...(modelCacheDir ? { modelCacheDir } : {}) }).services[0]!;
}

/** The data disk's mount point on the guest that runs a stack. */
function mountPointOf(kind: 'postgres' | 'vllm'): string {
  return guestWith(kind).disks.find((d, i) => i > 0 && d.mountPoint)!.mountPoint!;
}

interface Case {
  readonly name: string;
  readonly service: ServiceDefinition;
  readonly mountPoint: string;
  /** What the image's entrypoint is called: busybox has none, so a start past the guard fails on it. */
  readonly next: RegExp;
}

const CASES: Case[] = [
  { name: 'postgres (data in the disk data/ directory)', service: postgresService(), mountPoint: mountPointOf('postgres'), next: /docker-entrypoint\.sh/ },
  { name: 'vLLM (model cache on the models disk)', service: vllmService(), mountPoint: mountPointOf('vllm'), next: /vllm/ },
  {
    name: 'vLLM (model cache in a directory of the models disk)',
    service: vllmService(`${mountPointOf('vllm')}/hub`),
    mountPoint: mountPointOf('vllm'),
    next: /vllm/,
  },
];

describeWithTools('services refuse to start without their data disk (real containers)', dockerHost ? ['docker'] : ['dockerd-started-by-global-setup'], () => {
  const scratch = scratchDir('pvestack-guard-');
  afterAll(() => scratch.cleanup());

  /** The rendered service's disk volumes, their host side moved from the mount point into `root`. */
  function diskVolumes(c: Case, root: string): string[] {
    return c.service
      .volumes!.filter((v) => v.startsWith(`${c.mountPoint}/`) || v.startsWith(`${c.mountPoint}:`))
      .map((v) => `${root}${v.slice(c.mountPoint.length)}`);
  }

  function start(c: Case, root: string) {
    const volumes = diskVolumes(c, root).flatMap((v) => ['-v', v]);
    const argv = [
      'run',
      '--rm',
      ...volumes,
      '--entrypoint',
      c.service.entrypoint![0]!,
      BUSYBOX_IMAGE,
      ...c.service.entrypoint!.slice(1),
      ...c.service.command!,
    ];
    return spawnSync('docker', argv, { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 120_000 });
  }

  describe.each(CASES)('$name', (c) => {
    it('renders the guard for the disk at the mount point', () => {
      expect(c.service.entrypoint![0]).toBe('sh');
      expect(c.service.entrypoint!.join(' ')).toContain(DATA_DISK_MARKER);
      expect(c.service.entrypoint!.join(' ')).toContain(`not mounted at ${c.mountPoint} `);
      expect(diskVolumes(c, '/x').length).toBeGreaterThan(0);
    });

    it('refuses to start on an empty mount point (the disk did not attach) and says why', () => {
      const empty = fs.mkdtempSync(path.join(scratch.dir, 'not-mounted-'));
      const r = start(c, empty);
      expect(r.status).toBe(DATA_DISK_GUARD_EXIT);
      expect(r.stderr).toContain(`refusing to start: the data disk is not mounted at ${c.mountPoint}`);
      expect(r.stderr).toContain(`findmnt ${c.mountPoint}`);
      expect(r.stderr).not.toMatch(c.next);
    });

    it('hands over to the image entrypoint when the disk carries the markers cloud-init writes', () => {
      const mounted = fs.mkdtempSync(path.join(scratch.dir, 'mounted-'));
      // What cloud-init's runcmd does on a mounted disk (templates/cloud-init.ts).
      for (const dir of ['', ...MARKED_SUBDIRS]) {
        fs.mkdirSync(path.join(mounted, dir), { recursive: true });
        fs.writeFileSync(path.join(mounted, dir, DATA_DISK_MARKER), '');
      }
      const r = start(c, mounted);
      // busybox has no server: the guard got past its check and exec'd the image's entrypoint.
      expect(r.status).not.toBe(DATA_DISK_GUARD_EXIT);
      expect(r.stderr).not.toContain('refusing to start');
      expect(r.stderr).toMatch(c.next);
    });
  });
});

const FUSE = fs.existsSync('/dev/fuse');

/**
 * The chat example's model server keeps its cache on a Storage Box mounted over SSHFS on an
 * external GPU host. Its rendered entrypoint and cache volume, in a real container: on a plain
 * directory (the box's `nofail` unit did not mount) it refuses; on a real sshfs mount of a loopback
 * sshd standing in for the box it hands over to the image's entrypoint.
 */
describeWithTools(
  'vLLM refuses to start without the Storage Box that holds its model cache (real sshfs, sshd and container)',
  FUSE && dockerHost ? ['docker', 'sshfs', 'umount', '/usr/sbin/sshd'] : [FUSE ? 'dockerd-started-by-global-setup' : '/dev/fuse'],
  () => {
    const chat = loadEnvironment('chat');
    const guest = chat.guests.find((g) => g.stacks.some((s) => s.kind === 'vllm'))!;
    const stack = guest.stacks.find((s) => s.kind === 'vllm') as VllmStackSpec;
    const svc = vllmStack({ env: chat, guest, gpus: gpusOf(chat, guest), options: {} }, stack).services[0]!;
    const [hostDir, containerDir] = svc.volumes![0]!.split(':') as [string, string];
    const box = guest.storageBoxMounts.find((m) => hostDir.startsWith(`${m.mountPoint}/`))!;
    const scratch = scratchDir('pvestack-boxguard-');
    const boxHome = path.join(scratch.dir, 'box-home');
    const where = path.join(scratch.dir, 'mnt');
    let sshd: TestSshd;

    beforeAll(async () => {
      fs.mkdirSync(path.join(boxHome, 'chat', 'models'), { recursive: true });
      fs.mkdirSync(where, { recursive: true });
      sshd = await startSshd({ sftpStartDir: boxHome });
    });
    afterAll(() => {
      spawnSync('umount', ['-l', where]);
      sshd?.stop();
      scratch.cleanup();
    });

    const start = (source: string) =>
      spawnSync(
        'docker',
        ['run', '--rm', '-v', `${source}:${containerDir}`, '--entrypoint', svc.entrypoint![0]!, BUSYBOX_IMAGE, ...svc.entrypoint!.slice(1), ...svc.command!],
        { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 120_000 },
      );

    it('renders the mount guard for the sshfs Storage Box mount', () => {
      expect(box).toMatchObject({ protocol: 'sshfs' });
      expect(svc.entrypoint!.join(' ')).toContain(`if [ "$fstype" != 'fuse.sshfs' ]`);
      expect(svc.entrypoint!.join(' ')).toContain(`not mounted at ${box.mountPoint} `);
    });

    it('refuses to start on a plain directory (the box is not mounted) and says why', () => {
      const plain = path.join(scratch.dir, 'plain', 'models');
      fs.mkdirSync(plain, { recursive: true });
      const r = start(plain);
      expect(r.status).toBe(DATA_DISK_GUARD_EXIT);
      expect(r.stderr).toContain(`refusing to start: the Storage Box is not mounted at ${box.mountPoint}`);
      expect(r.stderr).toContain('not fuse.sshfs');
      expect(r.stderr).not.toMatch(/vllm/);
      expect(fs.readdirSync(plain)).toEqual([]);
    });

    it('hands over to the image entrypoint when the cache is on the sshfs mount', () => {
      const m = spawnSync(
        'sshfs',
        [
          `${sshd.user}@${sshd.host}:chat`,
          where,
          '-o',
          [
            `port=${sshd.port}`,
            `IdentityFile=${sshd.privateKeyPath}`,
            `UserKnownHostsFile=${sshd.knownHostsPath}`,
            'StrictHostKeyChecking=yes',
            'allow_other',
          ].join(','),
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(m.status, m.stderr).toBe(0);
      const r = start(path.join(where, 'models'));
      expect(r.stderr).not.toContain('refusing to start');
      expect(r.status).not.toBe(DATA_DISK_GUARD_EXIT);
      // busybox has no vLLM: the guard got past its check and exec'd the image's entrypoint.
      expect(r.stderr).toMatch(/vllm/);
    });
  },
  { root: true },
);
