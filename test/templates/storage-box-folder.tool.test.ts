/**
 * The Storage Box folder of an SSHFS mount is created over SFTP before the mount, with the box's
 * host key pinned: the rendered folder service's command, batch file and known_hosts, run against
 * a real sshd on loopback standing in for the box (its SFTP sessions start in a scratch "home",
 * as a box account's do). Only the address, port, user and local paths are swapped. A wrong
 * pinned key creates nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StorageBoxMount, StorageBoxSpec } from '../../model';
import {
  folderBatchPath,
  folderUnitName,
  renderStorageBoxUnits,
  sftpFolderArgv,
  STORAGE_BOX_SSH_PORT,
  storageBoxFolderBatch,
  storageBoxKeyPath,
  storageBoxKnownHosts,
  storageBoxKnownHostsPath,
} from '../../templates/storage-box-units';
import { startSshd, TestSshd } from '../support/sshd';
import { describeWithTools, run, scratchDir } from '../support/tools';

describeWithTools('Storage Box folders over SFTP with the host key pinned (real sshd)', ['sftp', 'ssh-keygen', '/usr/sbin/sshd'], () => {
  const scratch = scratchDir('pvestack-boxfolder-');
  const home = path.join(scratch.dir, 'home');
  let sshd: TestSshd;
  let box: StorageBoxSpec;
  const mount: StorageBoxMount = { box: 'models', mountPoint: '/mnt/models', protocol: 'sshfs', subdirectory: 'chat/models/2026' };

  beforeAll(async () => {
    fs.mkdirSync(home);
    fs.mkdirSync(path.join(home, 'chat'));
    sshd = await startSshd({ sftpStartDir: home });
    box = { name: 'models', host: '127.0.0.1', user: 'u222222', sshKeySecret: 'k', hostKeys: [sshd.hostPublicKey] };
  });
  afterAll(() => {
    sshd?.stop();
    scratch.cleanup();
  });

  /** The rendered files in the scratch dir, and the rendered argv pointing at them and at the stand-in. */
  function prepare(id: string, knownHosts: string) {
    const dir = path.join(scratch.dir, id);
    fs.mkdirSync(dir);
    const batch = storageBoxFolderBatch(mount)!;
    const local = new Map([
      [storageBoxKeyPath(box.name), sshd.privateKeyPath],
      [storageBoxKnownHostsPath(box.name), path.join(dir, 'known_hosts')],
      [batch.path, path.join(dir, 'batch.sftp')],
      [String(STORAGE_BOX_SSH_PORT), String(sshd.port)],
      [`${box.user}@${box.host}`, `${sshd.user}@${sshd.host}`],
    ]);
    fs.writeFileSync(local.get(batch.path)!, batch.content);
    fs.writeFileSync(local.get(storageBoxKnownHostsPath(box.name))!, knownHosts.replaceAll(`]:${STORAGE_BOX_SSH_PORT} `, `]:${sshd.port} `));
    return sftpFolderArgv(box, mount).map(
      (arg) => local.get(arg) ?? arg.replace(storageBoxKnownHostsPath(box.name), local.get(storageBoxKnownHostsPath(box.name))!),
    );
  }

  it('renders the folder service before the mount, and the mount requires it', () => {
    const units = renderStorageBoxUnits(box, mount);
    const folder = units.find((u) => u.name === folderUnitName(mount.mountPoint))!;
    expect(folder.content).toContain(`ExecStart=${sftpFolderArgv(box, mount).join(' ')}`);
    expect(folder.content).toContain('Type=oneshot');
    expect(units[0]!.content).toContain(`Requires=${folder.name}`);
    expect(units[0]!.content).toMatch(new RegExp(`After=network-online.target ${folder.name.replace(/[.\\]/g, '\\$&')}`));
    expect(sftpFolderArgv(box, mount)).toContain(folderBatchPath(box.name, mount.mountPoint));
    expect(storageBoxKnownHosts(box)).toBe(`[127.0.0.1]:23 ${sshd.hostPublicKey}\n`);
  });

  it('creates every level of the folder, and a second run succeeds (the folders exist)', () => {
    const argv = prepare('good', storageBoxKnownHosts(box));
    const first = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
    expect(first.status, first.stderr).toBe(0);
    expect(fs.statSync(path.join(home, 'chat/models/2026')).isDirectory()).toBe(true);
    const again = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
    expect(again.status, again.stderr).toBe(0);
  });

  it('refuses a box whose host key is not the pinned one, and creates nothing', () => {
    fs.rmSync(path.join(home, 'chat/models'), { recursive: true, force: true });
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(scratch.dir, 'other')]);
    const other = fs.readFileSync(path.join(scratch.dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const argv = prepare('wrong-key', storageBoxKnownHosts({ ...box, hostKeys: [other] }));
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(fs.existsSync(path.join(home, 'chat/models'))).toBe(false);
  });
});
