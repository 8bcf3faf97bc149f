/**
 * A ZFS pool on a node's disks (`proxmox_node_disk_zfs`) registered as Proxmox storage
 * (`proxmox_storage_zfspool`), so guests can put disks on it by storage id.
 */
import { Construct } from 'constructs';
import type { ZfsLayout, ZfsPool } from '../model';
import { zfsUsableCapacity } from '../model';
import { pve } from '../providers/proxmox';

/**
 * The Proxmox API's `raidlevel` for a layout, or undefined when the API cannot create it: the
 * API's `single` takes exactly one disk, so a multi-disk stripe is created by the host playbook.
 */
export function zfsRaidLevel(layout: ZfsLayout, diskCount: number): string | undefined {
  switch (layout) {
    case 'stripe':
      return diskCount === 1 ? 'single' : undefined;
    case 'raidz1':
      return 'raidz';
    default:
      return layout;
  }
}

export interface ProxmoxZfsPoolProps {
  /** The validated pool from the environment. */
  readonly pool: ZfsPool;
  /** Proxmox content types the storage accepts. @default ['images', 'rootdir'] (VM disks and container volumes) */
  readonly content?: readonly string[];
}

/** A ZFS pool and its Proxmox storage entry. */
export class ProxmoxZfsPool extends Construct {
  /** The pool creation; undefined for a multi-disk stripe (see `zfsRaidLevel`). */
  readonly resource?: pve.nodeDiskZfs.NodeDiskZfs;
  readonly storage: pve.storageZfspool.StorageZfspool;
  readonly pool: ZfsPool;

  constructor(scope: Construct, id: string, props: ProxmoxZfsPoolProps) {
    super(scope, id);
    const { pool } = props;
    this.pool = pool;
    const raidlevel = zfsRaidLevel(pool.layout, pool.disks.length);
    if (raidlevel) {
      this.resource = new pve.nodeDiskZfs.NodeDiskZfs(this, 'Resource', {
        name: pool.name,
        nodeName: pool.node,
        raidlevel,
        devices: [...pool.disks],
        ashift: pool.ashift,
        compression: pool.compression,
        // Registered below with explicit content and node list instead.
        addStorage: false,
      });
    }
    this.storage = new pve.storageZfspool.StorageZfspool(this, 'Storage', {
      id: pool.storageId,
      zfsPool: pool.name,
      nodes: [pool.node],
      content: [...(props.content ?? ['images', 'rootdir'])],
      thinProvision: true,
      ...(this.resource ? { dependsOn: [this.resource] } : {}),
    });
  }

  /** Usable capacity in GiB before ZFS overhead. */
  get usableCapacityGib(): number {
    return zfsUsableCapacity(this.pool.layout, this.pool.disks.length, this.pool.diskSizeGib);
  }
}
