import { describe, expect, it } from 'vitest';
import type { Guest } from '../../../model';
import { DATA_DISK_MARKER, guardDataVolume } from '../../../templates/stacks/data-disk-guard';

function guest(kind: Guest['kind'], disks: Guest['disks']): Guest {
  return { name: 'g', kind, disks } as unknown as Guest;
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
