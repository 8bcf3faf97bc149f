/**
 * systemd `.mount` + `.automount` units that mount a Hetzner Storage Box inside a guest (CIFS on
 * 445 or SSHFS on port 23). Pure: the units name a credentials file / key by path only; the
 * deployer writes that file with mode 0600, so no secret ever reaches cloud-init.
 *
 * Native units instead of fstab lines because `x-systemd.automount` is understood only by the
 * fstab generator: here the `.automount` unit is what gets enabled, and the `.mount` unit is
 * started on first access. `_netdev,nofail` keep a missing box from blocking boot.
 */
import type { StorageBoxMount, StorageBoxSpec } from '../model';
import { pinnedKeyOptions } from './openssh-options';

/** Directory the deployer fills with Storage Box credentials and keys (mode 0600). */
export const STORAGE_BOX_SECRET_DIR = '/etc/pvestack';

/** Seconds of inactivity after which the automount unmounts the box again. */
export const STORAGE_BOX_IDLE_TIMEOUT_SECONDS = 600;

/** The SSH port of a Storage Box that serves SFTP with OpenSSH-format keys (port 22 wants RFC4716 keys). */
export const STORAGE_BOX_SSH_PORT = 23;

/** Path of the CIFS credentials file (`username=` / `password=` lines) the deployer writes. */
export function storageBoxCredentialsPath(box: string): string {
  return `${STORAGE_BOX_SECRET_DIR}/storagebox-${box}.cred`;
}

/** Path of the SSH private key the deployer writes for SSHFS mounts. */
export function storageBoxKeyPath(box: string): string {
  return `${STORAGE_BOX_SECRET_DIR}/storagebox-${box}.key`;
}

/** Path of the known_hosts file holding the box's host key (written by the deployer). */
export function storageBoxKnownHostsPath(box: string): string {
  return `${STORAGE_BOX_SECRET_DIR}/storagebox-${box}.known_hosts`;
}

const SAFE = /^[A-Za-z0-9:_.]$/;

/**
 * `systemd-escape --path`: strip the surrounding slashes (and collapse repeated ones), turn each
 * `/` into `-`, and write every other byte outside `[A-Za-z0-9:_.]` (and a leading `.`) as `\xNN`.
 * The root directory escapes to `-`.
 */
export function systemdEscapePath(path: string): string {
  const trimmed = path
    .split('/')
    .filter((part) => part.length > 0)
    .join('/');
  if (trimmed === '') return '-';
  let out = '';
  const bytes = new TextEncoder().encode(trimmed);
  bytes.forEach((byte, i) => {
    const ch = String.fromCharCode(byte);
    if (ch === '/') out += '-';
    else if (byte < 0x80 && SAFE.test(ch) && !(i === 0 && ch === '.')) out += ch;
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  });
  return out;
}

/** The unit name systemd requires for a mount at `path`, e.g. `mnt-storagebox.mount`. */
export function mountUnitName(path: string, suffix: 'mount' | 'automount' = 'mount'): string {
  return `${systemdEscapePath(path)}.${suffix}`;
}

export interface SystemdUnitFile {
  /** Unit file name, e.g. `mnt-storagebox.automount`. */
  readonly name: string;
  /** Absolute path the unit is written to. */
  readonly path: string;
  readonly content: string;
  /** Whether `systemctl enable` should be run for it (only the automount). */
  readonly enable: boolean;
}

/** The share of a box: sub-accounts (`u123456-sub1`) export a share named like the account. */
export function storageBoxShare(box: StorageBoxSpec): string {
  return box.share ?? (box.user.includes('-sub') ? box.user : 'backup');
}

/**
 * Who owns the files of a mount, as the guest sees them. SMB 3 without POSIX extensions (the
 * Storage Box) has no per-file owner: mount.cifs presents every file with the mount's `uid=`,
 * `gid=`, `file_mode=` and `dir_mode=` and the client enforces those bits (cifs-utils
 * mount.cifs(8), "FILE AND DIRECTORY OWNERSHIP AND PERMISSIONS"). So the mount must name the user
 * that writes: PostgreSQL's archive_command and base backups run as the image's `postgres` user.
 */
export interface MountOwner {
  readonly uid: number;
  readonly gid: number;
  readonly fileMode: string;
  readonly dirMode: string;
}

/** root, group-writable: a mount no service of ours writes to as another user. */
export const ROOT_MOUNT_OWNER: MountOwner = { uid: 0, gid: 0, fileMode: '0660', dirMode: '0770' };

/** One service user, private to it. */
export function serviceMountOwner(uid: number, gid: number = uid): MountOwner {
  return { uid, gid, fileMode: '0600', dirMode: '0700' };
}

/**
 * known_hosts of a box for SSH on port 23: OpenSSH looks a non-default port up as `[host]:port`
 * (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"), so an entry without the port would not match.
 */
export function storageBoxKnownHosts(box: StorageBoxSpec): string {
  return (box.hostKeys ?? []).map((key) => `[${box.host}]:${STORAGE_BOX_SSH_PORT} ${key.split(/\s+/).slice(0, 2).join(' ')}\n`).join('');
}

/** The oneshot service that creates a mount's folder on the box before the mount starts. */
export function folderUnitName(mountPoint: string): string {
  return `pvestack-storagebox-folder-${systemdEscapePath(mountPoint)}.service`;
}

/** Path of the sftp batch file that creates a mount's folder (not a secret: folder names only). */
export function folderBatchPath(box: string, mountPoint: string): string {
  return `${STORAGE_BOX_SECRET_DIR}/storagebox-${box}-${systemdEscapePath(mountPoint).replace(/\\/g, '_')}.sftp`;
}

function subdirectoryOf(mount: StorageBoxMount): string {
  return mount.subdirectory.replace(/^\/+|\/+$/g, '');
}

/**
 * sftp batch commands that create `a/b/c` step by step: `-mkdir` ignores "already exists" (a
 * leading `-` lets a batch go on after a failing command, sftp(1) "-b"), and the final `cd`
 * (without `-`) fails the batch when the folder is still not there.
 */
export function sftpFolderBatch(subdirectory: string): string {
  const parts = subdirectory.split('/').filter((p) => p.length > 0);
  const steps = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  return `${[...steps.map((p) => `-mkdir "${p}"`), `cd "${steps[steps.length - 1]}"`].join('\n')}\n`;
}

/**
 * argv that creates the folder of an SSHFS mount over SFTP on port 23, with the box's pinned host
 * key and the mount's own key: the same credentials and trust as the mount itself.
 */
export function sftpFolderArgv(box: StorageBoxSpec, mount: StorageBoxMount): string[] {
  return [
    '/usr/bin/sftp',
    '-P',
    String(STORAGE_BOX_SSH_PORT),
    ...pinnedKeyOptions(storageBoxKeyPath(box.name), storageBoxKnownHostsPath(box.name)),
    '-b',
    folderBatchPath(box.name, mount.mountPoint),
    `${box.user}@${box.host}`,
  ];
}

/**
 * A CIFS folder is created by mounting the share's root for a moment: SMB has no separate
 * transfer channel, and the Storage Box's SFTP needs a key the CIFS setup does not have.
 */
function cifsFolderCommand(box: StorageBoxSpec, mount: StorageBoxMount): string {
  const options = ['vers=3.0', 'seal', `credentials=${storageBoxCredentialsPath(box.name)}`].join(',');
  return `/bin/sh -c 'd=$$(mktemp -d) && mount -t cifs //${box.host}/${storageBoxShare(box)} "$$d" -o ${options} && { mkdir -p "$$d/${subdirectoryOf(mount)}"; rc=$$?; umount "$$d"; rmdir "$$d"; exit $$rc; }'`;
}

/** The folder service of a mount with a subdirectory (a mount of the box's root needs none). */
function folderUnit(box: StorageBoxSpec, mount: StorageBoxMount): SystemdUnitFile | undefined {
  if (subdirectoryOf(mount) === '') return undefined;
  const exec = mount.protocol === 'sshfs' ? sftpFolderArgv(box, mount).join(' ') : cifsFolderCommand(box, mount);
  const name = folderUnitName(mount.mountPoint);
  const content = unit([
    [
      'Unit',
      [
        ['Description', `Create ${subdirectoryOf(mount)} on Storage Box ${box.name} before it is mounted at ${mount.mountPoint}`],
        ['After', 'network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'oneshot'],
        ['RemainAfterExit', 'yes'],
        ['ExecStart', exec],
        ['Restart', 'no'],
      ],
    ],
  ]);
  return { name, path: `/etc/systemd/system/${name}`, content, enable: false };
}

/** A mount's sftp batch file (SSHFS mounts with a subdirectory only). */
export function storageBoxFolderBatch(mount: StorageBoxMount): { path: string; content: string } | undefined {
  if (mount.protocol !== 'sshfs' || subdirectoryOf(mount) === '') return undefined;
  return { path: folderBatchPath(mount.box, mount.mountPoint), content: sftpFolderBatch(subdirectoryOf(mount)) };
}

/**
 * The `.mount` and `.automount` units of one Storage Box mount, in that order, then (for a mount
 * of a subdirectory) the service that creates that folder on the box, which the mount requires:
 * the box refuses to mount a folder that does not exist.
 */
export function renderStorageBoxUnits(box: StorageBoxSpec, mount: StorageBoxMount, owner: MountOwner = ROOT_MOUNT_OWNER): SystemdUnitFile[] {
  const where = mount.mountPoint;
  const source = mount.protocol === 'cifs' ? cifsSource(box, mount, owner) : sshfsSource(box, mount, owner);
  const description = `Storage Box ${box.name} (${mount.protocol}) at ${where}, managed by pvestack`;
  const folder = folderUnit(box, mount);
  const needs = folder ? ` ${folder.name}` : '';
  const mountUnit = unit([
    [
      'Unit',
      [
        ['Description', description],
        ['After', `network-online.target${needs}`],
        ['Wants', 'network-online.target'],
        ...(folder ? [['Requires', folder.name] as const] : []),
      ],
    ],
    [
      'Mount',
      [
        ['What', source.what],
        ['Where', where],
        ['Type', source.type],
        ['Options', source.options.join(',')],
        ['TimeoutSec', '30'],
      ],
    ],
  ]);
  const automountUnit = unit([
    [
      'Unit',
      [
        ['Description', `Automount for ${description}`],
        ['After', 'network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Automount',
      [
        ['Where', where],
        ['TimeoutIdleSec', String(STORAGE_BOX_IDLE_TIMEOUT_SECONDS)],
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ]);
  const mountName = mountUnitName(where, 'mount');
  const automountName = mountUnitName(where, 'automount');
  return [
    { name: mountName, path: `/etc/systemd/system/${mountName}`, content: mountUnit, enable: false },
    { name: automountName, path: `/etc/systemd/system/${automountName}`, content: automountUnit, enable: true },
    ...(folder ? [folder] : []),
  ];
}

interface MountSource {
  readonly what: string;
  readonly type: string;
  readonly options: readonly string[];
}

function cifsSource(box: StorageBoxSpec, mount: StorageBoxMount, owner: MountOwner): MountSource {
  const sub = mount.subdirectory.replace(/^\/+|\/+$/g, '');
  return {
    what: `//${box.host}/${storageBoxShare(box)}${sub ? `/${sub}` : ''}`,
    type: 'cifs',
    // seal = SMB3 encryption; it needs vers=3.0 or later.
    options: [
      'vers=3.0',
      'seal',
      'iocharset=utf8',
      'rw',
      `credentials=${storageBoxCredentialsPath(box.name)}`,
      `uid=${owner.uid}`,
      `gid=${owner.gid}`,
      `file_mode=${owner.fileMode}`,
      `dir_mode=${owner.dirMode}`,
      '_netdev',
      'nofail',
    ],
  };
}

function sshfsSource(box: StorageBoxSpec, mount: StorageBoxMount, owner: MountOwner): MountSource {
  const sub = mount.subdirectory.replace(/^\/+|\/+$/g, '');
  return {
    // A relative path resolves to the account's home directory.
    what: `${box.user}@${box.host}:${sub}`,
    type: 'fuse.sshfs',
    options: [
      `port=${STORAGE_BOX_SSH_PORT}`,
      `IdentityFile=${storageBoxKeyPath(box.name)}`,
      `UserKnownHostsFile=${storageBoxKnownHostsPath(box.name)}`,
      'StrictHostKeyChecking=yes',
      'reconnect',
      'ServerAliveInterval=15',
      'ServerAliveCountMax=3',
      // allow_other lets the service user in at all; the box itself checks its account's rights.
      // uid=/gid= only change how files are shown, so tools that compare owners see the writer.
      'allow_other',
      ...(owner.uid !== 0 ? [`uid=${owner.uid}`, `gid=${owner.gid}`] : []),
      '_netdev',
      'nofail',
    ],
  };
}

type Section = readonly [string, readonly (readonly [string, string])[]];

function unit(sections: readonly Section[]): string {
  return sections.map(([name, entries]) => [`[${name}]`, ...entries.map(([k, v]) => `${k}=${v}`)].join('\n')).join('\n\n') + '\n';
}
