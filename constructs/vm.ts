/** A Proxmox VM from the environment model, booted from a pinned cloud image with cloud-init. */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { Environment, Guest } from '../model';
import { datastoreOf, networkOf, nodeOf } from '../model';
import { pve } from '../providers/proxmox';
import { diskSerial, renderCloudInit } from '../templates/cloud-init';
import { CloudImage } from './cloud-image';
import { CloudInitSnippet } from './cloud-init-snippet';
import { Connections, IConnectable } from './connections';
import { GuestFirewall } from './firewall';
import { GPU_VM_BIOS, GPU_VM_EFI_TYPE, GPU_VM_MACHINE, gpuHostpci, GpuPassthrough } from './gpu-passthrough';
import { Peer } from '../model';
import { ADOPTED_VM_KEEPS, adoptGuest, guestLifecycle } from './private/adopt';
import { guestTags } from './private/tags';

type VmConfig = pve.virtualEnvironmentVm.VirtualEnvironmentVmConfig;

export interface ProxmoxVmProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `vm`. */
  readonly guest: Guest;
  /** Image the boot disk is imported from. @default the stack's `CloudImage` for the guest's node and `guest.vm.imageUrl` (Ubuntu 24.04) */
  readonly image?: CloudImage;
  /** cloud-init user-data. @default `renderCloudInit(env, guest)` */
  readonly userData?: string;
  /** GPU mappings and the one-guest-per-GPU ledger. @default the stack's `GpuPassthrough` */
  readonly gpuPassthrough?: GpuPassthrough;
  /** Resources the VM must wait for, e.g. the ZFS pool storage its disks live on. @default none (GPU mappings are added automatically) */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A VM with `cpu.type = host`, the guest agent on, disks on the named datastores (discard and
 * iothread on, `ssd` where the datastore is flash), every NIC behind the Proxmox firewall, and
 * cloud-init from a content-addressed snippet. A GPU VM runs q35 + OVMF with ballooning off.
 * A stateful VM is protected and can never be replaced by a cloud-init edit.
 */
export class ProxmoxVm extends Construct implements IConnectable {
  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentVm.VirtualEnvironmentVm;
  readonly guest: Guest;
  /** The cloud-init snippet; undefined for an adopted VM, which keeps the configuration it has. */
  readonly snippet?: CloudInitSnippet;
  /** The cloud image the boot disk is imported from; undefined for an adopted VM, whose disk exists. */
  readonly image?: CloudImage;
  /** Who may reach this VM; rendered into `firewall`. */
  readonly connections: Connections;
  readonly firewall: GuestFirewall;

  constructor(scope: Construct, id: string, props: ProxmoxVmProps) {
    super(scope, id);
    const { env, guest } = props;
    if (guest.kind !== 'vm') throw new Error(`ProxmoxVm needs a vm guest, got ${guest.kind} ${guest.name}`);
    this.guest = guest;
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    const gpuLedger = guest.gpus.length > 0 ? (props.gpuPassthrough ?? GpuPassthrough.of(this, env)) : undefined;
    const gpus = gpuLedger?.claim(guest) ?? [];
    const root = guest.disks[0]!;

    // An adopted VM has its boot disk and its cloud-init already: nothing to download or upload.
    if (!guest.adopt) {
      this.image = props.image ?? CloudImage.forNode(this, { nodeName: node.name, datastoreId: node.imageDatastore, ...(guest.vm?.imageUrl ? { url: guest.vm.imageUrl } : {}), ...(guest.vm?.imageChecksum ? { checksum: guest.vm.imageChecksum } : {}) });
      this.snippet = new CloudInitSnippet(this, 'UserData', {
        nodeName: node.name,
        datastoreId: node.snippetDatastore,
        baseName: `${env.name}-${guest.name}-user-data`,
        userData: props.userData ?? renderCloudInit(env, guest),
        frozen: guest.stateful,
      });
    }

    const gpuSettings: Partial<VmConfig> =
      gpus.length > 0
        ? {
            machine: GPU_VM_MACHINE,
            bios: GPU_VM_BIOS,
            // Secure boot keys stay off: they would refuse the DKMS-built NVIDIA module.
            efiDisk: { datastoreId: root.datastore, type: GPU_VM_EFI_TYPE, preEnrolledKeys: false },
            hostpci: gpuHostpci(gpus),
          }
        : {};

    this.resource = new pve.virtualEnvironmentVm.VirtualEnvironmentVm(this, 'Resource', {
      name: guest.name,
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} guest of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest, gpus.length > 0 ? ['gpu'] : []),
      onBoot: true,
      started: true,
      protection: guest.stateful,
      agent: { enabled: true, trim: true },
      cpu: { cores: guest.cores, type: 'host' },
      // Ballooning off for GPU VMs: passed-through devices DMA into guest memory, which must stay pinned.
      memory: { dedicated: Math.round(guest.memoryGib * 1024), ...(gpus.length > 0 ? { floating: 0 } : {}) },
      operatingSystem: { type: 'l26' },
      scsiHardware: 'virtio-scsi-single',
      startup: { order: guest.startupOrder },
      disk: guest.disks.map((d, i) => {
        const flash = ['ssd', 'nvme'].includes(datastoreOf(env, guest, d.datastore)?.media ?? '');
        return {
          interface: `scsi${i}`,
          datastoreId: d.datastore,
          size: Math.ceil(d.sizeGib),
          discard: 'on',
          iothread: true,
          ...(flash ? { ssd: true } : {}),
          ...(i === 0 ? (this.image ? { importFromAttribute: this.image.fileId } : {}) : { serial: diskSerial(d) }),
        };
      }),
      networkDevice: [{ bridge: net.bridge, model: 'virtio', firewall: true, ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}) }],
      initialization: {
        datastoreId: root.datastore,
        ...(this.snippet ? { userDataFileId: this.snippet.fileId } : {}),
        ipConfig: [{ ipv4: { address: `${guest.ipv4}/${net.prefix}`, gateway: net.gateway } }],
        dns: { servers: [...net.dns], ...(net.domain ? { domain: net.domain } : {}) },
      },
      ...gpuSettings,
      ...dependsOn(props.dependsOn ?? [], gpuLedger?.mappingsOf(gpus) ?? []),
      // A new snippet or image must never replace a VM that holds data (later configuration goes
      // through the deployer); an adopted VM keeps what it was created from.
      ...guestLifecycle(guest, ['initialization[0].user_data_file_id', 'disk[0].import_from'], ADOPTED_VM_KEEPS),
    });

    adoptGuest(this.resource, guest);

    this.connections = new Connections({ peer: Peer.host(guest.ipv4) });
    // Without a vmId in the spec Proxmox assigns one; the firewall then follows the resource's.
    this.firewall = new GuestFirewall(this, 'Firewall', { nodeName: node.name, vmId: guest.vmId ?? this.resource.vmId, kind: 'vm', connections: this.connections, dependsOn: [this.resource] });
  }
}

function dependsOn(...groups: (readonly ITerraformDependable[])[]): { dependsOn?: ITerraformDependable[] } {
  const all = groups.flat();
  return all.length > 0 ? { dependsOn: all } : {};
}
