/**
 * A Proxmox VM booted from a pinned cloud image with cloud-init. `new ProxmoxVm(scope, id, props)`
 * needs only what the VM itself needs (node, network, disks), so it fits any cdktf stack;
 * `ProxmoxVm.fromGuest` builds one from a validated environment's guest, as `PlatformStack` does.
 */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { Environment, Guest } from '../model';
import { datastoreOf, networkOf, nodeOf, Peer, Size } from '../model';
import { pve } from '../providers/proxmox';
import { diskSerial, renderCloudInit } from '../templates/cloud-init';
import { CloudImage } from './cloud-image';
import { CloudInitSnippet } from './cloud-init-snippet';
import { Connections, IConnectable } from './connections';
import { GuestFirewall } from './firewall';
import { GPU_VM_BIOS, GPU_VM_EFI_TYPE, GPU_VM_MACHINE, GpuPassthrough, mappingHostpci } from './gpu-passthrough';
import { ADOPTED_VM_KEEPS, importExisting, lifecycleFor } from './private/adopt';
import { guestTags } from './private/tags';
import { checkVmProps } from './private/vm-props';

type VmConfig = pve.virtualEnvironmentVm.VirtualEnvironmentVmConfig;

/** One disk of a VM; the first one boots and is imported from the cloud image. */
export interface VmDisk {
  readonly sizeGib: number;
  /** Proxmox storage id, e.g. `local-lvm`. */
  readonly datastoreId: string;
  /** Tell the guest the disk is flash (`ssd = 1`), so it issues TRIM. @default false */
  readonly ssd?: boolean;
  /** Disk serial, so the guest finds a data disk under `/dev/disk/by-id/`. @default none */
  readonly serial?: string;
}

/** The VM's one NIC and its static address. */
export interface VmNetwork {
  /** Linux bridge on the node, e.g. `vmbr1`. */
  readonly bridge: string;
  /** @default untagged */
  readonly vlanId?: number;
  /** Address with prefix length, `10.20.0.11/24`. */
  readonly address: string;
  readonly gateway: string;
  /** @default the gateway */
  readonly dnsServers?: readonly string[];
  /** @default none */
  readonly domain?: string;
}

export interface ProxmoxVmProps {
  /** VM name (and host name). */
  readonly name: string;
  /** Proxmox node the VM runs on. */
  readonly nodeName: string;
  readonly network: VmNetwork;
  /** @default assigned by Proxmox at creation */
  readonly vmId?: number;
  /** @default 'managed by pvestack' */
  readonly description?: string;
  /** Proxmox tags (`[a-z0-9_][a-z0-9_+.-]*`). @default ['pvestack'] */
  readonly tags?: readonly string[];
  /** @default 2 */
  readonly cores?: number;
  /** @default 2 */
  readonly memoryGib?: number;
  /** Boot disk first. @default one 32 GiB disk on `local-lvm` */
  readonly disks?: readonly VmDisk[];
  /** Image the boot disk is imported from. @default the stack's `CloudImage` for the node (Ubuntu 24.04, pinned) on `imageDatastoreId` */
  readonly image?: CloudImage;
  /** Storage whose content includes `import`, for the default image. @default 'local' */
  readonly imageDatastoreId?: string;
  /**
   * cloud-init user-data (`#cloud-config`), uploaded as a snippet. Without it the VM gets only the
   * network configuration, and no user or key: you cannot log in.
   * @default none
   */
  readonly userData?: string;
  /** Storage whose content includes `snippets`. @default 'local' */
  readonly snippetDatastoreId?: string;
  /** Snippet file name prefix. @default `<name>-user-data` */
  readonly snippetBaseName?: string;
  /** PCI resource mappings (`hardware_mapping_pci` names) passed through; the VM then runs q35 + OVMF with ballooning off. @default none */
  readonly gpuMappings?: readonly string[];
  /**
   * The VM holds data: `protection`, `prevent_destroy`, and a new image or cloud-init never
   * replaces it. Left off, a cloud-init edit replaces the VM (its snippet is content-addressed).
   * @default false
   */
  readonly stateful?: boolean;
  /**
   * The VM exists already (made by hand): the first apply imports it (`<nodeName>/<vmId>`, so
   * `vmId` is required) instead of creating it. Nothing is downloaded or uploaded, and what it was
   * created from (boot image, cloud-init) is left as found.
   * @default false
   */
  readonly importExisting?: boolean;
  /** Boot order among the node's guests. @default Proxmox's (none) */
  readonly startupOrder?: number;
  /** Resources the VM must wait for, e.g. the ZFS pool storage or GPU mappings it uses. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** `ProxmoxVm.fromGuest`: a guest of a validated environment. */
export interface GuestVmProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `vm`. */
  readonly guest: Guest;
  /** @default the stack's `CloudImage` for the guest's node and `guest.vm.imageUrl` (Ubuntu 24.04) */
  readonly image?: CloudImage;
  /** @default `renderCloudInit(env, guest)` */
  readonly userData?: string;
  /** GPU mappings and the one-guest-per-GPU ledger. @default the stack's `GpuPassthrough` */
  readonly gpuPassthrough?: GpuPassthrough;
  /** @default none (GPU mappings are added automatically) */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A VM with `cpu.type = host`, the guest agent on, disks with discard and iothread on, its NIC
 * behind the Proxmox firewall, and cloud-init from a content-addressed snippet. A GPU VM runs
 * q35 + OVMF with ballooning off. A stateful VM is protected and never replaced by an edit.
 */
export class ProxmoxVm extends Construct implements IConnectable {
  /** A guest of a validated environment: node, network, disks, tags, cloud-init and GPUs from the model. */
  static fromGuest(scope: Construct, id: string, props: GuestVmProps): ProxmoxVm {
    const { env, guest } = props;
    if (guest.kind !== 'vm') throw new Error(`ProxmoxVm needs a vm guest, got ${guest.kind} ${guest.name}`);
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    const gpuLedger = guest.gpus.length > 0 ? (props.gpuPassthrough ?? GpuPassthrough.of(scope, env)) : undefined;
    const gpus = gpuLedger?.claim(guest) ?? [];
    const vm = new ProxmoxVm(scope, id, {
      name: guest.name,
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} guest of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest, gpus.length > 0 ? ['gpu'] : []),
      cores: guest.cores,
      memoryGib: guest.memoryGib,
      disks: guest.disks.map((d, i) => ({
        sizeGib: d.sizeGib,
        datastoreId: d.datastore,
        ssd: ['ssd', 'nvme'].includes(datastoreOf(env, guest, d.datastore)?.media ?? ''),
        ...(i > 0 ? { serial: diskSerial(d) } : {}),
      })),
      network: {
        bridge: net.bridge,
        ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}),
        address: `${guest.ipv4}/${net.prefix}`,
        gateway: net.gateway,
        dnsServers: net.dns,
        ...(net.domain ? { domain: net.domain } : {}),
      },
      // An adopted VM has its boot disk and its cloud-init already: nothing to download or upload.
      ...(guest.adopt
        ? { importExisting: true }
        : {
            image:
              props.image ??
              CloudImage.forNode(scope, {
                nodeName: node.name,
                datastoreId: node.imageDatastore,
                ...(guest.vm?.imageUrl ? { url: guest.vm.imageUrl } : {}),
                ...(guest.vm?.imageChecksum ? { checksum: guest.vm.imageChecksum } : {}),
              }),
            userData: props.userData ?? renderCloudInit(env, guest),
          }),
      snippetDatastoreId: node.snippetDatastore,
      snippetBaseName: `${env.name}-${guest.name}-user-data`,
      gpuMappings: gpus.map((g) => g.name),
      stateful: guest.stateful,
      startupOrder: guest.startupOrder,
      dependsOn: [...(props.dependsOn ?? []), ...(gpuLedger?.mappingsOf(gpus) ?? [])],
    });
    vm.guest = guest;
    return vm;
  }

  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentVm.VirtualEnvironmentVm;
  /** The environment's guest, when built by `fromGuest`. */
  guest?: Guest;
  /** The uploaded user-data, when `userData` was given (never for an imported VM). */
  readonly snippet?: CloudInitSnippet;
  /** The image the boot disk is imported from; undefined for an imported VM, whose disk exists. */
  readonly image?: CloudImage;
  /** Who may reach this VM; rendered into `firewall`. */
  readonly connections: Connections;
  readonly firewall: GuestFirewall;

  constructor(scope: Construct, id: string, props: ProxmoxVmProps) {
    super(scope, id);
    checkVmProps(`ProxmoxVm ${this.node.path}`, props);
    const disks = props.disks ?? [{ sizeGib: 32, datastoreId: 'local-lvm' }];
    const root = disks[0]!;
    const gpuMappings = props.gpuMappings ?? [];
    const stateful = props.stateful ?? false;
    const net = props.network;
    const adopted = props.importExisting ?? false;

    if (!adopted) this.image = props.image ?? CloudImage.forNode(this, { nodeName: props.nodeName, datastoreId: props.imageDatastoreId ?? 'local' });
    if (props.userData !== undefined && !adopted)
      this.snippet = new CloudInitSnippet(this, 'UserData', {
        nodeName: props.nodeName,
        datastoreId: props.snippetDatastoreId ?? 'local',
        baseName: props.snippetBaseName ?? `${props.name}-user-data`,
        userData: props.userData,
        frozen: stateful,
      });

    // q35 + OVMF for passthrough (PCIe topology, UEFI option ROMs); Proxmox's qm.adoc, "PCI(e) Passthrough".
    const gpuSettings: Partial<VmConfig> =
      gpuMappings.length > 0
        ? {
            machine: GPU_VM_MACHINE,
            bios: GPU_VM_BIOS,
            // Secure boot keys stay off: they would refuse the DKMS-built NVIDIA module.
            efiDisk: { datastoreId: root.datastoreId, type: GPU_VM_EFI_TYPE, preEnrolledKeys: false },
            hostpci: mappingHostpci(gpuMappings),
          }
        : {};

    this.resource = new pve.virtualEnvironmentVm.VirtualEnvironmentVm(this, 'Resource', {
      name: props.name,
      nodeName: props.nodeName,
      ...(props.vmId !== undefined ? { vmId: props.vmId } : {}),
      description: props.description ?? 'managed by pvestack',
      tags: [...(props.tags ?? ['pvestack'])],
      onBoot: true,
      started: true,
      protection: stateful,
      agent: { enabled: true, trim: true },
      cpu: { cores: props.cores ?? 2, type: 'host' },
      // memory.dedicated is in MiB (proxmoxtf/resource/vm/vm.go, v0.111.1).
      // Ballooning off for GPU VMs: passed-through devices DMA into guest memory, which must stay pinned.
      memory: { dedicated: Math.round(Size.gib(props.memoryGib ?? 2).toMib()), ...(gpuMappings.length > 0 ? { floating: 0 } : {}) },
      operatingSystem: { type: 'l26' },
      scsiHardware: 'virtio-scsi-single',
      ...(props.startupOrder !== undefined ? { startup: { order: props.startupOrder } } : {}),
      disk: disks.map((d, i) => ({
        interface: `scsi${i}`,
        datastoreId: d.datastoreId,
        size: Math.ceil(d.sizeGib),
        discard: 'on',
        iothread: true,
        ...(d.ssd ? { ssd: true } : {}),
        ...(i === 0 ? (this.image ? { importFromAttribute: this.image.fileId } : {}) : d.serial ? { serial: d.serial } : {}),
      })),
      networkDevice: [{ bridge: net.bridge, model: 'virtio', firewall: true, ...(net.vlanId !== undefined ? { vlanId: net.vlanId } : {}) }],
      initialization: {
        datastoreId: root.datastoreId,
        ...(this.snippet ? { userDataFileId: this.snippet.fileId } : {}),
        ipConfig: [{ ipv4: { address: net.address, gateway: net.gateway } }],
        dns: { servers: [...(net.dnsServers ?? [net.gateway])], ...(net.domain ? { domain: net.domain } : {}) },
      },
      ...gpuSettings,
      ...(props.dependsOn?.length ? { dependsOn: [...props.dependsOn] } : {}),
      // A new snippet or image must never replace a VM that holds data (later configuration goes
      // through the deployer); an adopted VM keeps what it was created from.
      ...lifecycleFor(stateful, adopted, ['initialization[0].user_data_file_id', 'disk[0].import_from'], ADOPTED_VM_KEEPS),
    });
    // bpg/terraform-provider-proxmox v0.111.1 docs/resources/virtual_environment_vm.md, "Import": the id is <node>/<vmid>.
    if (adopted) importExisting(this.resource, `${props.nodeName}/${props.vmId}`);

    this.connections = new Connections({ peer: Peer.host(net.address.split('/')[0]!) });
    // Without a vmId Proxmox assigns one; the firewall then follows the resource's.
    this.firewall = new GuestFirewall(this, 'Firewall', {
      nodeName: props.nodeName,
      vmId: props.vmId ?? this.resource.vmId,
      kind: 'vm',
      connections: this.connections,
      dependsOn: [this.resource],
    });
  }
}
