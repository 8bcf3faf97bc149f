import { describe, expect, it } from 'vitest';
import type { StorageBoxMount, StorageBoxSpec } from '../../model';
import { mountUnitName, renderStorageBoxUnits, storageBoxShare, systemdEscapePath } from '../../templates/storage-box-units';

describe('systemdEscapePath (systemd-escape --path)', () => {
  it.each([
    ['/mnt/storagebox', 'mnt-storagebox'],
    ['/mnt/storage-box/ai data', 'mnt-storage\\x2dbox-ai\\x20data'],
    ['/', '-'],
    ['/mnt//box/', 'mnt-box'],
    ['/srv/.hidden', 'srv-.hidden'],
    ['/.hidden', '\\x2ehidden'],
    ['/mnt/a:b_c.d', 'mnt-a:b_c.d'],
    ['/mnt/ü', 'mnt-\\xc3\\xbc'],
  ])('%s -> %s', (path, escaped) => {
    expect(systemdEscapePath(path)).toBe(escaped);
  });

  it('names mount and automount units after the escaped path', () => {
    expect(mountUnitName('/mnt/storage-box/ai data')).toBe('mnt-storage\\x2dbox-ai\\x20data.mount');
    expect(mountUnitName('/mnt/storagebox', 'automount')).toBe('mnt-storagebox.automount');
  });
});

const BOX: StorageBoxSpec = { name: 'offsite', host: 'u123456.your-storagebox.de', user: 'u123456', passwordSecret: 'pw', sshKeySecret: 'key' };
const mount = (over: Partial<StorageBoxMount> = {}): StorageBoxMount => ({
  box: 'offsite',
  mountPoint: '/mnt/storagebox',
  protocol: 'cifs',
  subdirectory: '',
  ...over,
});

describe('renderStorageBoxUnits', () => {
  it('mounts CIFS with SMB3 encryption and a credentials file, never a password', () => {
    const [unit, automount] = renderStorageBoxUnits(BOX, mount({ subdirectory: 'edu/db' }));
    expect(unit!.name).toBe('mnt-storagebox.mount');
    expect(unit!.enable).toBe(false);
    expect(unit!.content).toContain('What=//u123456.your-storagebox.de/backup/edu/db\n');
    expect(unit!.content).toContain('Type=cifs\n');
    const options = /Options=(.*)\n/.exec(unit!.content)![1]!.split(',');
    expect(options).toEqual(expect.arrayContaining(['vers=3.0', 'seal', 'credentials=/etc/pvestack/storagebox-offsite.cred', '_netdev', 'nofail']));
    expect(unit!.content).not.toMatch(/password/i);
    expect(automount!).toMatchObject({ name: 'mnt-storagebox.automount', path: '/etc/systemd/system/mnt-storagebox.automount', enable: true });
    expect(automount!.content).toContain('[Automount]\nWhere=/mnt/storagebox\nTimeoutIdleSec=600\n');
    expect(automount!.content).toContain('WantedBy=multi-user.target');
  });

  it('mounts SSHFS on port 23 with an identity file', () => {
    const [unit] = renderStorageBoxUnits(BOX, mount({ protocol: 'sshfs', mountPoint: '/mnt/storage-box/ai data', subdirectory: 'models' }));
    expect(unit!.name).toBe('mnt-storage\\x2dbox-ai\\x20data.mount');
    expect(unit!.content).toContain('What=u123456@u123456.your-storagebox.de:models\n');
    expect(unit!.content).toContain('Type=fuse.sshfs\n');
    expect(unit!.content).toContain('Where=/mnt/storage-box/ai data\n');
    const options = /Options=(.*)\n/.exec(unit!.content)![1]!.split(',');
    expect(options).toEqual(expect.arrayContaining(['port=23', 'IdentityFile=/etc/pvestack/storagebox-offsite.key', '_netdev', 'nofail']));
  });

  it('uses the sub-account name as share for sub-accounts', () => {
    expect(storageBoxShare({ ...BOX, user: 'u123456-sub2' })).toBe('u123456-sub2');
    expect(storageBoxShare({ ...BOX, share: 'custom' })).toBe('custom');
  });

  it('renders as snapshotted', () => {
    expect(renderStorageBoxUnits(BOX, mount({ subdirectory: 'edu/db' }))).toMatchSnapshot();
  });
});
