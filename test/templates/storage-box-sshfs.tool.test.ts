/**
 * The rendered SSHFS mount really mounts: the `.mount` unit of a Storage Box mount, run the way
 * systemd runs it, through this machine's FUSE and sshfs, against a real sshd on loopback standing
 * in for the box, with the box's host key pinned through the rendered known_hosts. A file written
 * through the mount lands on the "box" and one written there is read back, shown as the service
 * user the unit maps files to; a wrong pinned key mounts nothing. Only the address, port, user and
 * local paths are swapped.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StorageBoxMount, StorageBoxSpec } from '../../model';
import { POSTGRES_IMAGE_UID } from '../../templates/postgres/backup';
import {
  mountUnitName,
  renderStorageBoxUnits,
  serviceMountOwner,
  STORAGE_BOX_SSH_PORT,
  storageBoxKeyPath,
  storageBoxKnownHosts,
  storageBoxKnownHostsPath,
} from '../../templates/storage-box-units';
import { startSshd, type TestSshd } from '../support/sshd';
import { describeWithTools, run, scratchDir } from '../support/tools';

const FUSE = fs.existsSync('/dev/fuse');
if (!FUSE) console.warn('\n*** SKIPPING the SSHFS mount suite: no /dev/fuse on this machine ***\n');

/**
 * The command systemd runs for a `.mount` unit: `mount <What> <Where> -n -t <Type> -o <Options>`,
 * with `nofail`, `noauto` and `auto` taken out of the options (they are systemd's, not the file
 * system's): systemd src/core/mount.c, mount_set_exec_command(). sshfs itself refuses `nofail`.
 */
function systemdMountArgv(unit: string): string[] {
  const key = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(unit)?.[1] ?? '';
  const options = key('Options')
    .split(',')
    .filter((o) => !['nofail', 'noauto', 'auto'].includes(o));
  return ['mount', key('What'), key('Where'), '-n', '-t', key('Type'), '-o', options.join(',')];
}

describeWithTools(
  'the rendered SSHFS mount of a Storage Box mounts, writes and reads with the host key pinned (real FUSE, sshfs and sshd)',
  FUSE ? ['sshfs', 'mount', 'umount', '/usr/sbin/sshd', 'ssh-keygen'] : ['/dev/fuse'],
  () => {
    const scratch = scratchDir('pvestack-sshfs-');
    const home = path.join(scratch.dir, 'box-home');
    let sshd: TestSshd;
    let box: StorageBoxSpec;
    const mount: StorageBoxMount = { box: 'models', mountPoint: '/mnt/models', protocol: 'sshfs', subdirectory: 'chat/models' };
    const owner = serviceMountOwner(POSTGRES_IMAGE_UID);
    /** Logins the stand-in box accepted so far. */
    const accepted = () => (fs.readFileSync(path.join(sshd.dir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
    const mounted = (where: string) => fs.readFileSync('/proc/mounts', 'utf8').includes(` ${where} fuse.sshfs `);

    beforeAll(async () => {
      fs.mkdirSync(path.join(home, mount.subdirectory), { recursive: true });
      sshd = await startSshd({ sftpStartDir: home });
      box = { name: 'models', host: '127.0.0.1', user: 'u222222', sshKeySecret: 'k', hostKeys: [sshd.hostPublicKey] };
    });
    afterAll(() => {
      for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n'))
        if (line.includes(` ${scratch.dir}/`)) spawnSync('umount', ['-l', line.split(' ')[1]!]);
      sshd?.stop();
      scratch.cleanup();
    });

    /** The rendered mount unit's command, pointed at the stand-in, with `knownHosts` as the rendered known_hosts. */
    function prepare(id: string, knownHosts: string): { argv: string[]; where: string } {
      const dir = path.join(scratch.dir, id);
      const where = path.join(dir, 'mnt');
      fs.mkdirSync(where, { recursive: true });
      const knownHostsFile = path.join(dir, 'known_hosts');
      fs.writeFileSync(knownHostsFile, knownHosts.replaceAll(`]:${STORAGE_BOX_SSH_PORT} `, `]:${sshd.port} `));
      const unit = renderStorageBoxUnits(box, mount, owner).find((u) => u.name === mountUnitName(mount.mountPoint))!.content;
      const argv = systemdMountArgv(unit).map((arg) =>
        arg === mount.mountPoint
          ? where
          : arg
              .replace(`${box.user}@${box.host}:`, `${sshd.user}@${sshd.host}:`)
              .replace(`port=${STORAGE_BOX_SSH_PORT}`, `port=${sshd.port}`)
              .replace(`IdentityFile=${storageBoxKeyPath(box.name)}`, `IdentityFile=${sshd.privateKeyPath}`)
              .replace(`UserKnownHostsFile=${storageBoxKnownHostsPath(box.name)}`, `UserKnownHostsFile=${knownHostsFile}`),
      );
      return { argv, where };
    }

    it('renders a fuse.sshfs unit with the pinned known_hosts, strict host key checking and the service owner', () => {
      const { argv } = prepare('shape', storageBoxKnownHosts(box));
      expect(argv.slice(0, 1)).toEqual(['mount']);
      expect(argv[1]).toBe(`${sshd.user}@${sshd.host}:${mount.subdirectory}`);
      expect(argv.slice(3, 6)).toEqual(['-n', '-t', 'fuse.sshfs']);
      expect(argv[7]!.split(',')).toEqual(
        expect.arrayContaining(['StrictHostKeyChecking=yes', 'allow_other', `uid=${POSTGRES_IMAGE_UID}`, `gid=${POSTGRES_IMAGE_UID}`, '_netdev']),
      );
    });

    it('mounts; a file written through the mount is on the box, one written on the box is read through it, owned by the service user', () => {
      const { argv, where } = prepare('good', storageBoxKnownHosts(box));
      const before = accepted();
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(accepted()).toBe(before + 1);
      try {
        expect(mounted(where)).toBe(true);
        fs.writeFileSync(path.join(where, 'written-through-the-mount.txt'), 'weights shard 1\n');
        expect(fs.readFileSync(path.join(home, mount.subdirectory, 'written-through-the-mount.txt'), 'utf8')).toBe('weights shard 1\n');
        fs.writeFileSync(path.join(home, mount.subdirectory, 'on-the-box.txt'), 'already there\n');
        expect(fs.readFileSync(path.join(where, 'on-the-box.txt'), 'utf8')).toBe('already there\n');
        const st = fs.statSync(path.join(where, 'on-the-box.txt'));
        expect([st.uid, st.gid]).toEqual([POSTGRES_IMAGE_UID, POSTGRES_IMAGE_UID]);
      } finally {
        run('umount', [where]);
      }
      expect(mounted(where)).toBe(false);
    });

    it('refuses a box whose host key is not the pinned one, and mounts nothing', () => {
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(scratch.dir, 'other')]);
      const other = fs.readFileSync(path.join(scratch.dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
      const { argv, where } = prepare('wrong-key', storageBoxKnownHosts({ ...box, hostKeys: [other] }));
      const before = accepted();
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).not.toBe(0);
      expect(mounted(where)).toBe(false);
      // sshfs does not pass ssh's "Host key verification failed" on; the server's log shows the
      // client gave up before it authenticated, which only the host key check does here (the good
      // case above differs from this one in the known_hosts alone).
      expect(accepted()).toBe(before);
    });
  },
  { root: true },
);
