/**
 * Where a container's data disk appears inside it: its `mountPoint`, or `/mnt/<disk name>`. One
 * rule for the construct that mounts the volume (constructs/lxc.ts) and the validator that refuses
 * two mounts at one path (model/validate/references.ts). A VM's data disk has no such default: it
 * is mounted only where its `mountPoint` says (templates/cloud-init.ts).
 */
export function containerDataDiskPath(diskName: string, mountPoint: string | undefined): string {
  return mountPoint ?? `/mnt/${diskName}`;
}
