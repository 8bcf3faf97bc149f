/**
 * A Hetzner Storage Box attached to Proxmox as CIFS storage for backups. The password comes from
 * a sensitive Terraform variable (`TF_VAR_<name>` at apply time), so it never appears in the
 * synthesized JSON. Mounts inside guests are systemd units rendered into cloud-init
 * (`templates/storage-box-units.ts`).
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { StorageBoxSpec } from '../model';
import { pve } from '../providers/proxmox';
import { storageBoxShare } from '../templates/storage-box-units';

/** The Terraform variable that carries a box's CIFS password. */
export function storageBoxPasswordVariable(box: string): string {
  return `storagebox_${box.replace(/[^A-Za-z0-9_]/g, '_')}_password`;
}

export interface StorageBoxStorageProps {
  /** The box; it must have `proxmoxStorageId`. */
  readonly box: StorageBoxSpec;
  /** Nodes that may use the storage. @default all nodes */
  readonly nodes?: readonly string[];
  /** Directory on the share for Proxmox's files. @default '/pve' */
  readonly subdirectory?: string;
  /** @default ['backup'] */
  readonly content?: readonly string[];
}

/** `proxmox_storage_cifs` for a Storage Box, with SMB3 encryption (`seal`). */
export class StorageBoxStorage extends Construct {
  readonly resource: pve.storageCifs.StorageCifs;
  readonly password: TerraformVariable;

  constructor(scope: Construct, id: string, props: StorageBoxStorageProps) {
    super(scope, id);
    const { box } = props;
    if (!box.proxmoxStorageId) throw new Error(`StorageBoxStorage needs a box with proxmoxStorageId; ${box.name} has none`);
    // No default on purpose: terraform must be given the password, and never by this code.
    // At the stack root so the variable is named exactly TF_VAR_<name>.
    this.password = new TerraformVariable(TerraformStack.of(this), storageBoxPasswordVariable(box.name), {
      type: 'string',
      sensitive: true,
      description: `CIFS password of Storage Box ${box.name} (${box.user}); set TF_VAR_${storageBoxPasswordVariable(box.name)}`,
    });
    this.resource = new pve.storageCifs.StorageCifs(this, 'Resource', {
      id: box.proxmoxStorageId,
      server: box.host,
      share: storageBoxShare(box),
      username: box.user,
      password: this.password.stringValue,
      subdirectory: props.subdirectory ?? '/pve',
      options: 'seal',
      content: [...(props.content ?? ['backup'])],
      ...(props.nodes ? { nodes: [...props.nodes] } : {}),
    });
  }
}
