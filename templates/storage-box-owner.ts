/**
 * Which user a guest's Storage Box mount belongs to: the user of the service that writes there.
 * A mount that holds a PostgreSQL stack's backups belongs to the server image's `postgres` user,
 * which runs `archive_command` and the base-backup sidecar; any other mount stays root's.
 */
import type { Guest, StorageBoxMount } from '../model';
import { POSTGRES_IMAGE_UID } from './postgres/backup';
import { MountOwner, ROOT_MOUNT_OWNER, serviceMountOwner } from './storage-box-units';

export function storageBoxMountOwner(guest: Guest, mount: StorageBoxMount): MountOwner {
  const postgresBackup = guest.stacks.some((s) => s.kind === 'postgres' && s.backup?.mountPoint === mount.mountPoint);
  return postgresBackup ? serviceMountOwner(POSTGRES_IMAGE_UID) : ROOT_MOUNT_OWNER;
}
