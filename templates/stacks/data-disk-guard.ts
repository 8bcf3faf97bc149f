/**
 * A start guard for services whose data must live on a data disk. The disk is mounted with
 * `nofail` (a missing disk must not block boot), so when it does not attach, its mount point is
 * an empty directory on the root disk and Docker happily bind-mounts that: PostgreSQL's entrypoint
 * would initialise a new, empty cluster, and vLLM would download hundreds of GiB of weights onto
 * the root disk until it is full. cloud-init writes a marker file onto the disk once it is really
 * mounted (`templates/cloud-init.ts`); the guard refuses to start the service without it and says
 * why in the container log.
 */
import type { Guest } from '../../model';
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

/**
 * The guard for a service whose volume `hostDir:containerDir` must be on a data disk: undefined
 * when the guest's data disks carry no marker or `hostDir` is on none of them (then there is
 * nothing to protect). When `hostDir` is a directory cloud-init marks, the service sees the marker
 * in its own volume; for any other directory on the disk, the disk's marker is bind-mounted
 * read-only beside it (with the disk absent Docker creates a directory there, which the guard's
 * `-f` test rejects just the same).
 */
export function guardDataVolume(guest: Guest, hostDir: string, containerDir: string, next: string): DataDiskGuardParts | undefined {
  if (!guardsDataDisks(guest)) return undefined;
  const disk = dataDisks(guest)
    .filter((d) => hostDir === d.mountPoint || hostDir.startsWith(`${d.mountPoint}/`))
    .sort((a, b) => b.mountPoint!.length - a.mountPoint!.length)[0];
  if (!disk) return undefined;
  const mountPoint = disk.mountPoint!;
  const marked = [mountPoint, ...MARKED_SUBDIRS.map((d) => `${mountPoint}/${d}`)].includes(hostDir);
  if (marked) return { entrypoint: dataDiskGuard(`${containerDir}/${DATA_DISK_MARKER}`, mountPoint, next), volumes: [] };
  const containerMarker = `${MARKER_MOUNT}/${DATA_DISK_MARKER}`;
  return { entrypoint: dataDiskGuard(containerMarker, mountPoint, next), volumes: [`${mountPoint}/${DATA_DISK_MARKER}:${containerMarker}:ro`] };
}
