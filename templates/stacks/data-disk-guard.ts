/**
 * A start guard for services whose data must live on a data disk. The disk is mounted with
 * `nofail` (a missing disk must not block boot), so when it does not attach, its mount point is
 * an empty directory on the root disk and Docker happily bind-mounts that: PostgreSQL's entrypoint
 * would initialise a new, empty cluster, and the application would use it. cloud-init writes a
 * marker file onto the disk once it is really mounted (`templates/cloud-init.ts`); the guard
 * refuses to start the service without it and says why in the container log.
 */
import type { Guest } from '../../model';

/** File name of the marker on a data disk's mount point (and in its `data/` directory). */
export const DATA_DISK_MARKER = '.pvestack-data-disk';

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
