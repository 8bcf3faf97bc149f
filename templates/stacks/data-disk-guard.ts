/**
 * A start guard for services whose data must live on a data disk. The disk is mounted with
 * `nofail` (a missing disk must not block boot), so when it does not attach, its mount point is
 * an empty directory on the root disk and Docker happily bind-mounts that: PostgreSQL's entrypoint
 * would initialise a new, empty cluster, and vLLM would download hundreds of GiB of weights onto
 * the root disk until it is full. cloud-init writes a marker file onto the disk once it is really
 * mounted (`templates/cloud-init.ts`); the guard refuses to start the service without it and says
 * why in the container log.
 */
import type { Guest, StorageBoxMount } from '../../model';
import { dataDisks } from './types';

/** File name of the marker on a data disk's mount point (and in its `data/` directory). */
export const DATA_DISK_MARKER = '.pvestack-data-disk';

/** Directories below a data disk's mount point that cloud-init marks besides the mount point itself (PostgreSQL's volume). */
export const MARKED_SUBDIRS: readonly string[] = ['data'];

/** Where a guarded service sees its disk's marker when its volume is a directory cloud-init does not mark. */
const MARKER_MOUNT = '/run/pvestack-data-disk';

/** Exit status of the guard (EX_CONFIG in sysexits.h): the host is not set up for the service. */
export const DATA_DISK_GUARD_EXIT = 78;

/** Whether a guest's data disks carry the marker: cloud-init writes it, so VM guests only (LXC mount points are part of the container). */
export function guardsDataDisks(guest: Guest): boolean {
  return guest.kind === 'vm';
}

/**
 * An entrypoint (argv) that checks the marker of the disk mounted at `mountPoint` (seen at
 * `containerMarker` inside the container) and then hands the compose `command` to `next` (the
 * image's own entrypoint).
 */
export function dataDiskGuard(containerMarker: string, mountPoint: string, next: string): string[] {
  const script = [
    `if [ ! -f '${containerMarker}' ]; then`,
    `  echo "pvestack: refusing to start: the data disk is not mounted at ${mountPoint} (no ${DATA_DISK_MARKER} marker); starting would put the data on the root disk." >&2`,
    `  echo "pvestack: attach the disk and check 'findmnt ${mountPoint}'; a disk that is mounted but lost its marker: touch ${mountPoint}/${DATA_DISK_MARKER} ${mountPoint}/data/${DATA_DISK_MARKER}" >&2`,
    `  exit ${DATA_DISK_GUARD_EXIT}`,
    'fi',
    `exec ${next} "$@"`,
  ].join('\n');
  // `sh -c SCRIPT NAME ARGS...`: NAME becomes $0 and the compose command becomes "$@".
  return ['sh', '-c', script, 'pvestack-data-disk-guard'];
}

/** What a service needs so that it refuses to start without the data disk holding one of its volumes. */
export interface DataDiskGuardParts {
  /** The guard, to use as the service's entrypoint. */
  readonly entrypoint: string[];
  /** Volumes to add: the disk's marker, when the service's own volume does not show it. */
  readonly volumes: string[];
}

/** The filesystem type a Storage Box mount shows in mountinfo: its mount unit's `Type=` (templates/storage-box-units.ts). */
const BOX_FSTYPE: Readonly<Record<StorageBoxMount['protocol'], string>> = { cifs: 'cifs', sshfs: 'fuse.sshfs' };

/**
 * An entrypoint (argv) that checks that `containerDir` is on a filesystem of type `fstype` (a
 * network mount such as a Storage Box at `mountPoint` on the host) and then hands the compose
 * `command` to `next`. A bind mount shows the type of the filesystem its source lives on in the
 * container's /proc/self/mountinfo (proc(5): field 5 is the mount point, the type follows the
 * `-` separator), so a box that is not mounted shows the root disk's type instead. The `nofail`
 * mount unit lets the host boot without the box; this stops the service from filling the root disk.
 */
export function mountGuard(containerDir: string, mountPoint: string, fstype: string, next: string): string[] {
  const script = [
    // A function, so that `set --` splits a line without touching the compose command in "$@".
    'fstype_of() {',
    '  found=',
    '  while read -r line; do',
    '    set -f; set -- $line; set +f',
    `    if [ "$5" = '${containerDir}' ]; then`,
    '      shift 6',
    '      while [ "$#" -gt 1 ] && [ "$1" != - ]; do shift; done',
    '      found=$2',
    '    fi',
    '  done < /proc/self/mountinfo',
    '  echo "$found"',
    '}',
    'fstype=$(fstype_of)',
    `if [ "$fstype" != '${fstype}' ]; then`,
    `  echo "pvestack: refusing to start: the Storage Box is not mounted at ${mountPoint} (${containerDir} is on \${fstype:-no filesystem of its own}, not ${fstype}); starting would put the data on the root disk." >&2`,
    `  echo "pvestack: mount it and check 'findmnt ${mountPoint}' (its mount unit is written by cloud-init on a VM, by the storage-box playbook on an external host; 'systemctl list-units --all --type=automount,mount' lists it)." >&2`,
    `  exit ${DATA_DISK_GUARD_EXIT}`,
    'fi',
    `exec ${next} "$@"`,
  ].join('\n');
  return ['sh', '-c', script, 'pvestack-mount-guard'];
}

/**
 * The guard for a service whose volume `hostDir:containerDir` must be on a data disk or a Storage
 * Box mount: undefined when `hostDir` is on neither (or on a data disk that carries no marker),
 * then there is nothing to protect. The innermost of the two wins. On a Storage Box the guard
 * checks the volume's filesystem type. On a data disk it checks the marker: when `hostDir` is a
 * directory cloud-init marks, the service sees the marker in its own volume; for any other
 * directory on the disk, the disk's marker is bind-mounted read-only beside it (with the disk
 * absent Docker creates a directory there, which the guard's `-f` test rejects just the same).
 */
export function guardDataVolume(guest: Guest, hostDir: string, containerDir: string, next: string): DataDiskGuardParts | undefined {
  const under = (mountPoint: string) => hostDir === mountPoint || hostDir.startsWith(`${mountPoint}/`);
  const disk = guardsDataDisks(guest)
    ? dataDisks(guest)
        .filter((d) => under(d.mountPoint!))
        .sort((a, b) => b.mountPoint!.length - a.mountPoint!.length)[0]
    : undefined;
  const box = guest.storageBoxMounts.filter((m) => under(m.mountPoint)).sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  if (box && (!disk || box.mountPoint.length > disk.mountPoint!.length))
    return { entrypoint: mountGuard(containerDir, box.mountPoint, BOX_FSTYPE[box.protocol], next), volumes: [] };
  if (!disk) return undefined;
  const mountPoint = disk.mountPoint!;
  const marked = [mountPoint, ...MARKED_SUBDIRS.map((d) => `${mountPoint}/${d}`)].includes(hostDir);
  if (marked) return { entrypoint: dataDiskGuard(`${containerDir}/${DATA_DISK_MARKER}`, mountPoint, next), volumes: [] };
  const containerMarker = `${MARKER_MOUNT}/${DATA_DISK_MARKER}`;
  return { entrypoint: dataDiskGuard(containerMarker, mountPoint, next), volumes: [`${mountPoint}/${DATA_DISK_MARKER}:${containerMarker}:ro`] };
}
