/**
 * Everything a guest needs to mount its Storage Boxes, planned once for both ways it gets there:
 * cloud-init on VMs (`templates/cloud-init.ts`) and the storage-box playbook on external hosts
 * (`ansible-bridge/playbooks/storage-box.yml`). Units, each SSHFS box's known_hosts (its pinned
 * host keys) and the sftp batch files that create mount folders; no secret: the credentials files
 * and keys are written by the deployer or the playbook, mode 0600.
 */
import type { Environment, Guest } from '../model';
import { storageBoxMountOwner } from './storage-box-owner';
import { renderStorageBoxUnits, storageBoxFolderBatch, storageBoxKnownHosts, storageBoxKnownHostsPath, SystemdUnitFile } from './storage-box-units';

export interface PlainFile {
  readonly path: string;
  readonly content: string;
}

export interface StorageBoxGuestPlan {
  readonly units: readonly SystemdUnitFile[];
  /** known_hosts and sftp batch files (not secrets). */
  readonly files: readonly PlainFile[];
  /** Packages the mounts need: `cifs-utils`, `sshfs`. */
  readonly packages: readonly string[];
}

export function storageBoxGuestPlan(env: Environment, guest: Guest): StorageBoxGuestPlan {
  const units: SystemdUnitFile[] = [];
  const files = new Map<string, PlainFile>();
  for (const mount of guest.storageBoxMounts) {
    const box = env.storageBoxes.find((b) => b.name === mount.box);
    if (!box) continue;
    units.push(...renderStorageBoxUnits(box, mount, storageBoxMountOwner(guest, mount)));
    if (mount.protocol !== 'sshfs') continue;
    files.set(storageBoxKnownHostsPath(box.name), { path: storageBoxKnownHostsPath(box.name), content: storageBoxKnownHosts(box) });
    const batch = storageBoxFolderBatch(mount);
    if (batch) files.set(batch.path, batch);
  }
  const packages = [
    ...(guest.storageBoxMounts.some((m) => m.protocol === 'cifs') ? ['cifs-utils'] : []),
    ...(guest.storageBoxMounts.some((m) => m.protocol === 'sshfs') ? ['sshfs'] : []),
  ];
  return { units, files: [...files.values()], packages };
}
