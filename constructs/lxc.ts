/**
 * A Proxmox LXC container. `new ProxmoxLxc(scope, id, props)` needs only what the container
 * itself needs (node, network, root disk), so it fits any cdktf stack; `ProxmoxLxc.fromGuest`
 * builds one from a validated environment's guest, as `PlatformStack` does.
 */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { ClusterNode, Environment, GpuSpec, Guest } from '../model';
import { containerDataDiskPath, DEFAULT_LXC_TEMPLATE_FILE, networkOf, nodeOf, PciAddress, Peer, SpecError, Size } from '../model';
import { pve } from '../providers/proxmox';
import { Connections, IConnectable } from './connections';
import { GuestFirewall } from './firewall';
import { GpuPassthrough } from './gpu-passthrough';
import { LxcTemplate } from './lxc-template';
import { ADOPTED_LXC_KEEPS, importExisting, lifecycleFor } from './private/adopt';
import { checkLxcProps } from './private/lxc-props';
import { guestTags } from './private/tags';
import type { VmNetwork } from './vm';

/** The container's one NIC (`eth0`) and its static address; the same shape as a VM's. */
export type LxcNetwork = VmNetwork;

/** The container's root file system. */
export interface LxcRootDisk {
  /** Proxmox storage id, e.g. `local-lvm`. */
  readonly datastoreId: string;
  readonly sizeGib: number;
}

/** A volume mounted into the container, allocated on a Proxmox storage. */
export interface LxcMountPoint {
  /** Proxmox storage id the volume is allocated on. */
  readonly datastoreId: string;
  readonly sizeGib: number;
  /** Absolute path inside the container, e.g. `/srv/cache`. */
  readonly path: string;
  /** Include the volume in vzdump backups. @default true */
  readonly backup?: boolean;
}

/** A host device node made available inside the container. */
export interface LxcDevice {
  /** Path under `/dev`, e.g. `/dev/nvidia0`. */
  readonly path: string;
  /** Access mode of the node inside the container, e.g. `0666`. @default Proxmox's (0660) */
  readonly mode?: string;
}

/** Container features. */
export interface LxcFeatures {
  /** Nested cgroups and /proc, which Docker in the container needs. @default false */
  readonly nesting?: boolean;
  /** The keyctl() system call, which Docker needs in an unprivileged container. @default false */
  readonly keyctl?: boolean;
}

export interface ProxmoxLxcProps {
  /** Host name of the container. */
  readonly name: string;
  /** Proxmox node the container runs on. */
  readonly nodeName: string;
  readonly network: LxcNetwork;
  /** @default assigned by Proxmox at creation */
  readonly vmId?: number;
  /** @default 'managed by pvestack' */
  readonly description?: string;
  /** Proxmox tags (`[a-z0-9_][a-z0-9_+.-]*`). @default ['pvestack'] */
  readonly tags?: readonly string[];
  /** @default 1 */
  readonly cores?: number;
  /** @default 1 */
  readonly memoryGib?: number;
  /** @default 8 GiB on `local-lvm` */
  readonly rootDisk?: LxcRootDisk;
  /** @default none */
  readonly mountPoints?: readonly LxcMountPoint[];
  /**
   * Run without host root: the container's root is an unprivileged user on the host, so a
   * breakout from the container is not root on the node. Turn it off only for a stated reason.
   * @default true
   */
  readonly unprivileged?: boolean;
  /** @default none (Proxmox's: all off) */
  readonly features?: LxcFeatures;
  /** Host device nodes passed through, e.g. `/dev/nvidia0` for a GPU through the host driver. @default none */
  readonly devices?: readonly LxcDevice[];
  /** SSH public keys of the container's root user. @default none: log in with `pct enter` on the node */
  readonly sshKeys?: readonly string[];
  /** The template download the container is created from. @default the stack's `LxcTemplate` for the node (Ubuntu 24.04) on `templateDatastoreId` */
  readonly template?: LxcTemplate;
  /** Storage whose content includes `vztmpl`, for the default template. @default 'local' */
  readonly templateDatastoreId?: string;
  /** Distribution of the template, which Proxmox's setup scripts follow. @default 'ubuntu' */
  readonly osType?: string;
  /** The container holds data: `protection` and `prevent_destroy`; new SSH keys never replace it. @default false */
  readonly stateful?: boolean;
  /**
   * The container exists already (made by hand): the first apply imports it (`<nodeName>/<vmId>`,
   * so `vmId` is required) instead of creating it. Nothing is downloaded, and its template, user
   * and mount points are left as found.
   * @default false
   */
  readonly importExisting?: boolean;
  /** Template volume id the existing container was created from, for `importExisting`. @default the default template's on `templateDatastoreId` */
  readonly existingTemplateId?: string;
  /** Boot order among the node's guests. @default Proxmox's (none) */
  readonly startupOrder?: number;
  /** Resources the container must wait for, e.g. the ZFS pool storage its volumes live on. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** `ProxmoxLxc.fromGuest`: a guest of a validated environment. */
export interface GuestLxcProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `lxc`. */
  readonly guest: Guest;
  /** The one-guest-per-GPU ledger. @default the stack's `GpuPassthrough` */
  readonly gpuPassthrough?: GpuPassthrough;
  /** @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The `/dev` nodes a container needs to use GPUs through the host's driver: one `/dev/nvidiaN`
 * per GPU (N = its position in PCI order on the node, as the driver numbers them), the control
 * device, and the unified-memory devices CUDA uses.
 */
export function nvidiaDeviceNodes(node: ClusterNode, gpus: readonly GpuSpec[]): string[] {
  const order = [...node.gpus].sort((a, b) => PciAddress.compare(PciAddress.parse(a.pciAddress), PciAddress.parse(b.pciAddress))).map((g) => g.name);
  const minors = gpus.map((g) => order.indexOf(g.name)).sort((a, b) => a - b);
  return [...minors.map((n) => `/dev/nvidia${n}`), '/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools'];
}

/**
 * An LXC container, unprivileged unless told otherwise, with its NIC behind the Proxmox firewall,
 * created from a pinned template download it waits for. A stateful container is protected and
 * never replaced by new SSH keys.
 */
export class ProxmoxLxc extends Construct implements IConnectable {
  /**
   * A guest of a validated environment: node, network, disks, tags and SSH keys from the model.
   * `features.nesting` (and `keyctl`) are on when it runs Docker; GPUs arrive as device nodes of
   * the host driver, whose version is recorded in a tag because the container's user-space
   * driver must match it exactly.
   */
  static fromGuest(scope: Construct, id: string, props: GuestLxcProps): ProxmoxLxc {
    const { env, guest } = props;
    if (guest.kind !== 'lxc' || !guest.lxc) throw new Error(`ProxmoxLxc needs an lxc guest, got ${guest.kind} ${guest.name}`);
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    const gpus = guest.gpus.length > 0 ? (props.gpuPassthrough ?? GpuPassthrough.of(scope, env)).claim(guest) : [];
    const devices = gpus.length > 0 ? gpuDevices(env, guest, node, gpus) : [];
    const [root, ...data] = guest.disks;
    const ct = new ProxmoxLxc(scope, id, {
      name: guest.name,
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} container of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest, gpus.length > 0 ? ['gpu', `nvidia-driver-${node.nvidiaDriverVersion}`] : []),
      cores: guest.cores,
      memoryGib: guest.memoryGib,
      rootDisk: { datastoreId: root!.datastore, sizeGib: root!.sizeGib },
      mountPoints: data.map((d) => ({ datastoreId: d.datastore, sizeGib: d.sizeGib, path: containerDataDiskPath(d.name, d.mountPoint) })),
      unprivileged: guest.lxc.unprivileged,
      // Docker needs nested cgroups/proc (nesting) and keyrings (keyctl) inside an unprivileged container.
      ...(guest.stacks.length > 0 ? { features: { nesting: true, keyctl: true } } : {}),
      devices,
      network: {
        bridge: net.bridge,
        ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}),
        address: `${guest.ipv4}/${net.prefix}`,
        gateway: net.gateway,
        dnsServers: net.dns,
        ...(net.domain ? { domain: net.domain } : {}),
      },
      sshKeys: env.admin.sshKeys,
      // An adopted container exists: it names its template as the spec resolves it, and nothing is downloaded.
      ...(guest.adopt
        ? { importExisting: true, existingTemplateId: guest.lxc.template }
        : {
            template: LxcTemplate.forNode(scope, {
              nodeName: node.name,
              template: guest.lxc.template,
              templateUrl: guest.lxc.templateUrl,
              ...(guest.lxc.templateChecksum ? { templateChecksum: guest.lxc.templateChecksum } : {}),
              path: `guests[${guest.index}].lxc`,
            }),
          }),
      stateful: guest.stateful,
      startupOrder: guest.startupOrder,
      dependsOn: props.dependsOn ?? [],
    });
    ct.guest = guest;
    return ct;
  }

  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentContainer.VirtualEnvironmentContainer;
  /** The environment's guest, when built by `fromGuest`. */
  guest?: Guest;
  /** Who may reach this container; rendered into `firewall`. */
  readonly connections: Connections;
  readonly firewall: GuestFirewall;
  /** The template download the container is created from; undefined for an imported container, which exists already. */
  readonly template?: LxcTemplate;

  constructor(scope: Construct, id: string, props: ProxmoxLxcProps) {
    super(scope, id);
    checkLxcProps(`ProxmoxLxc ${this.node.path}`, props);
    const adopted = props.importExisting ?? false;
    const stateful = props.stateful ?? false;
    const net = props.network;
    const root = props.rootDisk ?? { datastoreId: 'local-lvm', sizeGib: 8 };
    const templateDatastore = props.templateDatastoreId ?? 'local';
    if (!adopted)
      this.template =
        props.template ??
        LxcTemplate.forNode(this, { nodeName: props.nodeName, template: `${templateDatastore}:vztmpl/${DEFAULT_LXC_TEMPLATE_FILE}`, path: 'props' });
    const dependsOn = [...(props.dependsOn ?? []), ...(this.template ? [this.template.resource] : [])];
    const devices = props.devices ?? [];

    this.resource = new pve.virtualEnvironmentContainer.VirtualEnvironmentContainer(this, 'Resource', {
      nodeName: props.nodeName,
      ...(props.vmId !== undefined ? { vmId: props.vmId } : {}),
      description: props.description ?? 'managed by pvestack',
      tags: [...(props.tags ?? ['pvestack'])],
      unprivileged: props.unprivileged ?? true,
      protection: stateful,
      startOnBoot: true,
      started: true,
      cpu: { cores: props.cores ?? 1 },
      // memory.dedicated is in MiB (proxmoxtf/resource/container/container.go, v0.111.1).
      memory: { dedicated: Math.round(Size.gib(props.memoryGib ?? 1).toMib()) },
      // The container's `disk.size` is whole GiB and `mount_point.size` a size string such as `100G` (proxmoxtf/resource/container/container.go, v0.111.1).
      disk: { datastoreId: root.datastoreId, size: Math.ceil(root.sizeGib) },
      // An environment's container always lists its mount points, none as `[]`; kept so its output stays as it was.
      ...(props.mountPoints !== undefined
        ? { mountPoint: props.mountPoints.map((m) => ({ volume: m.datastoreId, size: `${Math.ceil(m.sizeGib)}G`, path: m.path, backup: m.backup ?? true })) }
        : {}),
      ...(props.features ? { features: { ...props.features } } : {}),
      ...(devices.length > 0 ? { devicePassthrough: devices.map((d) => ({ path: d.path, ...(d.mode ? { mode: d.mode } : {}) })) } : {}),
      // The downloaded template's volume id, literally (see LxcTemplate); the container waits for
      // the download through depends_on below, since a literal is no reference Terraform orders by.
      operatingSystem: {
        templateFileId: this.template?.fileId ?? props.existingTemplateId ?? `${templateDatastore}:vztmpl/${DEFAULT_LXC_TEMPLATE_FILE}`,
        type: props.osType ?? 'ubuntu',
      },
      networkInterface: [{ name: 'eth0', bridge: net.bridge, firewall: true, ...(net.vlanId !== undefined ? { vlanId: net.vlanId } : {}) }],
      initialization: {
        hostname: props.name,
        ipConfig: [{ ipv4: { address: net.address, gateway: net.gateway } }],
        dns: { servers: [...(net.dnsServers ?? [net.gateway])], ...(net.domain ? { domain: net.domain } : {}) },
        ...(props.sshKeys !== undefined ? { userAccount: { keys: [...props.sshKeys] } } : {}),
      },
      ...(props.startupOrder !== undefined ? { startup: { order: props.startupOrder } } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      // Changing the admin keys would re-create the container (a provider force-new); keys rotate
      // through the deployer. An imported container keeps its template, user and mount points.
      ...lifecycleFor(stateful, adopted, ['initialization[0].user_account[0].keys'], ADOPTED_LXC_KEEPS),
    });
    // bpg/terraform-provider-proxmox v0.111.1 docs/resources/virtual_environment_container.md, "Import": the id is <node>/<vmid>.
    if (adopted) importExisting(this.resource, `${props.nodeName}/${props.vmId}`);

    this.connections = new Connections({ peer: Peer.host(net.address.split('/')[0]!) });
    // Without a vmId Proxmox assigns one; the firewall then follows the resource's.
    this.firewall = new GuestFirewall(this, 'Firewall', {
      nodeName: props.nodeName,
      vmId: props.vmId ?? this.resource.vmId,
      kind: 'lxc',
      connections: this.connections,
      dependsOn: [this.resource],
    });
  }
}

function gpuDevices(env: Environment, guest: Guest, node: ClusterNode, gpus: readonly GpuSpec[]): LxcDevice[] {
  if (!node.nvidiaDriverVersion) {
    const i = env.cluster.nodes.indexOf(node);
    throw new SpecError(
      `cluster.nodes[${i}].nvidiaDriverVersion`,
      `is required because container ${guest.name} uses a GPU of ${node.name} through the host driver`,
      "Record the host's driver version (`nvidia-smi --query-gpu=driver_version --format=csv,noheader`); the container's user-space driver must match it exactly.",
    );
  }
  // mode 0666: the unprivileged container's root is not host root, so the nodes must be world-usable.
  return nvidiaDeviceNodes(node, gpus).map((path) => ({ path, mode: '0666' }));
}
