import { describe, expect, it } from 'vitest';
import type { Guest } from '../../../model';
import { DATA_DISK_MARKER, guardDataVolume } from '../../../templates/stacks/data-disk-guard';

function guest(kind: Guest['kind'], disks: Guest['disks'], storageBoxMounts: Guest['storageBoxMounts'] = []): Guest {
  return { name: 'g', kind, disks, storageBoxMounts } as unknown as Guest;
}

const disks: Guest['disks'] = [
  { name: 'root', sizeGib: 32, datastore: 'local-lvm' },
  { name: 'models', sizeGib: 500, datastore: 'tank', mountPoint: '/srv/models' },
  { name: 'more', sizeGib: 500, datastore: 'tank', mountPoint: '/srv/models/more' },
];

describe('guardDataVolume', () => {
  it.each<{ name: string; kind: Guest['kind']; hostDir: string; marker?: string; extra?: string[]; mountPoint?: string }>([
    {
      name: 'the mount point itself: the marker is in the volume',
      kind: 'vm',
      hostDir: '/srv/models',
      marker: `/c/${DATA_DISK_MARKER}`,
      extra: [],
      mountPoint: '/srv/models',
    },
    {
      name: 'the data/ directory cloud-init marks',
      kind: 'vm',
      hostDir: '/srv/models/data',
      marker: `/c/${DATA_DISK_MARKER}`,
      extra: [],
      mountPoint: '/srv/models',
    },
    {
      name: 'another directory on the disk: its marker is mounted beside the volume',
      kind: 'vm',
      hostDir: '/srv/models/hub',
      marker: `/run/pvestack-data-disk/${DATA_DISK_MARKER}`,
      extra: [`/srv/models/${DATA_DISK_MARKER}:/run/pvestack-data-disk/${DATA_DISK_MARKER}:ro`],
      mountPoint: '/srv/models',
    },
    {
      name: 'the innermost of nested mount points',
      kind: 'vm',
      hostDir: '/srv/models/more',
      marker: `/c/${DATA_DISK_MARKER}`,
      extra: [],
      mountPoint: '/srv/models/more',
    },
    { name: 'a directory on the root disk: nothing to guard', kind: 'vm', hostDir: '/srv/modelsx' },
    { name: 'an LXC guest: its mount points are part of the container', kind: 'lxc', hostDir: '/srv/models' },
    { name: 'an external host: no cloud-init marker', kind: 'external', hostDir: '/srv/models' },
  ])('$name', ({ kind, hostDir, marker, extra, mountPoint }) => {
    const parts = guardDataVolume(guest(kind, disks), hostDir, '/c', 'next');
    if (!marker) return expect(parts).toBeUndefined();
    expect(parts!.entrypoint[2]).toContain(`if [ ! -f '${marker}' ]`);
    expect(parts!.entrypoint[2]).toContain(`not mounted at ${mountPoint} `);
    expect(parts!.entrypoint[2]).toContain('exec next "$@"');
    expect(parts!.volumes).toEqual(extra);
  });
});

describe('guardDataVolume on a Storage Box mount', () => {
  const box = (protocol: 'sshfs' | 'cifs', mountPoint = '/mnt/storagebox') => ({ box: 'b', mountPoint, protocol, subdirectory: 'chat' });

  it.each<{ name: string; kind: Guest['kind']; mounts: Guest['storageBoxMounts']; hostDir: string; fstype?: string; mountPoint?: string }>([
    {
      name: 'sshfs on an external host: the volume must be fuse.sshfs',
      kind: 'external',
      mounts: [box('sshfs')],
      hostDir: '/mnt/storagebox/models',
      fstype: 'fuse.sshfs',
      mountPoint: '/mnt/storagebox',
    },
    {
      name: 'CIFS on a VM: the volume must be cifs',
      kind: 'vm',
      mounts: [box('cifs')],
      hostDir: '/mnt/storagebox',
      fstype: 'cifs',
      mountPoint: '/mnt/storagebox',
    },
    {
      name: 'a box mounted on the data disk: the box is the innermost',
      kind: 'vm',
      mounts: [box('sshfs', '/srv/models/box')],
      hostDir: '/srv/models/box/hub',
      fstype: 'fuse.sshfs',
      mountPoint: '/srv/models/box',
    },
    { name: 'a directory beside the box: nothing to guard', kind: 'external', mounts: [box('sshfs')], hostDir: '/mnt/storageboxes' },
  ])('$name', ({ kind, mounts, hostDir, fstype, mountPoint }) => {
    const parts = guardDataVolume(guest(kind, disks, mounts), hostDir, '/c', 'next');
    if (!fstype) return expect(parts).toBeUndefined();
    expect(parts!.entrypoint[2]).toContain(`if [ "$5" = '/c' ]; then`);
    expect(parts!.entrypoint[2]).toContain(`if [ "$fstype" != '${fstype}' ]; then`);
    expect(parts!.entrypoint[2]).toContain(`the Storage Box is not mounted at ${mountPoint} `);
    expect(parts!.entrypoint[2]).toContain('exec next "$@"');
    expect(parts!.volumes).toEqual([]);
  });
});
