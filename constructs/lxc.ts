/** A Proxmox LXC container from the environment model. */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { ClusterNode, Environment, GpuSpec, Guest } from '../model';
import { networkOf, nodeOf, PciAddress, SpecError } from '../model';
import { pve } from '../providers/proxmox';
import { Connections, IConnectable } from './connections';
import { GuestFirewall } from './firewall';
import { GpuPassthrough } from './gpu-passthrough';
import { LxcTemplate } from './lxc-template';
import { Peer } from '../model';
import { ADOPTED_LXC_KEEPS, adoptGuest, guestLifecycle } from './private/adopt';
import { guestTags } from './private/tags';

type DevicePassthrough = pve.virtualEnvironmentContainer.VirtualEnvironmentContainerDevicePassthrough;

export interface ProxmoxLxcProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `lxc`. */
  readonly guest: Guest;
  /** The one-guest-per-GPU ledger. @default the stack's `GpuPassthrough` */
  readonly gpuPassthrough?: GpuPassthrough;
  /** Resources the container must wait for, e.g. the ZFS pool storage its volumes live on. @default none */
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
 * An LXC container, unprivileged unless the spec gives a reason, with its NIC behind the Proxmox
 * firewall. `features.nesting` (and `keyctl`) are on when it runs Docker; GPUs arrive as device
 * nodes of the host driver, whose version is recorded in a tag because the container's user-space
 * driver must match it exactly.
 */
export class ProxmoxLxc extends Construct implements IConnectable {
  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentContainer.VirtualEnvironmentContainer;
  readonly guest: Guest;
  /** Who may reach this container; rendered into `firewall`. */
  readonly connections: Connections;
  readonly firewall: GuestFirewall;
  /** The template download the container is created from; undefined for an adopted container, which exists already. */
  readonly template?: LxcTemplate;

  constructor(scope: Construct, id: string, props: ProxmoxLxcProps) {
    super(scope, id);
    const { env, guest } = props;
    if (guest.kind !== 'lxc' || !guest.lxc) throw new Error(`ProxmoxLxc needs an lxc guest, got ${guest.kind} ${guest.name}`);
    this.guest = guest;
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    const gpus = guest.gpus.length > 0 ? (props.gpuPassthrough ?? GpuPassthrough.of(this, env)).claim(guest) : [];
    const devices = gpus.length > 0 ? gpuDevices(env, guest, node, gpus) : [];
    const docker = guest.stacks.length > 0;
    const [root, ...data] = guest.disks;
    if (!guest.adopt) this.template = LxcTemplate.forNode(this, { nodeName: node.name, lxc: guest.lxc, path: `guests[${guest.index}].lxc` });
    const dependsOn = [...(props.dependsOn ?? []), ...(this.template ? [this.template.resource] : [])];

    this.resource = new pve.virtualEnvironmentContainer.VirtualEnvironmentContainer(this, 'Resource', {
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} container of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest, gpus.length > 0 ? ['gpu', `nvidia-driver-${node.nvidiaDriverVersion}`] : []),
      unprivileged: guest.lxc.unprivileged,
      protection: guest.stateful,
      startOnBoot: true,
      started: true,
      cpu: { cores: guest.cores },
      memory: { dedicated: Math.round(guest.memoryGib * 1024) },
      disk: { datastoreId: root!.datastore, size: Math.ceil(root!.sizeGib) },
      mountPoint: data.map((d) => ({ volume: d.datastore, size: `${Math.ceil(d.sizeGib)}G`, path: d.mountPoint ?? `/mnt/${d.name}`, backup: true })),
      // Docker needs nested cgroups/proc (nesting) and keyrings (keyctl) inside an unprivileged container.
      ...(docker ? { features: { nesting: true, keyctl: true } } : {}),
      ...(devices.length > 0 ? { devicePassthrough: devices } : {}),
      // The downloaded template's volume id, literally (see LxcTemplate); the container waits for
      // the download through depends_on below, since a literal is no reference Terraform orders by.
      operatingSystem: { templateFileId: this.template?.fileId ?? guest.lxc.template, type: 'ubuntu' },
      networkInterface: [{ name: 'eth0', bridge: net.bridge, firewall: true, ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}) }],
      initialization: {
        hostname: guest.name,
        ipConfig: [{ ipv4: { address: `${guest.ipv4}/${net.prefix}`, gateway: net.gateway } }],
        dns: { servers: [...net.dns], ...(net.domain ? { domain: net.domain } : {}) },
        userAccount: { keys: [...env.admin.sshKeys] },
      },
      startup: { order: guest.startupOrder },
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      // Changing the admin keys would re-create the container (a provider force-new); keys rotate
      // through the deployer. An adopted container keeps its template, user and mount points.
      ...guestLifecycle(guest, ['initialization[0].user_account[0].keys'], ADOPTED_LXC_KEEPS),
    });

    adoptGuest(this.resource, guest);

    this.connections = new Connections({ peer: Peer.host(guest.ipv4) });
    // Without a vmId in the spec Proxmox assigns one; the firewall then follows the resource's.
    this.firewall = new GuestFirewall(this, 'Firewall', {
      nodeName: node.name,
      vmId: guest.vmId ?? this.resource.vmId,
      kind: 'lxc',
      connections: this.connections,
      dependsOn: [this.resource],
    });
  }
}

function gpuDevices(env: Environment, guest: Guest, node: ClusterNode, gpus: readonly GpuSpec[]): DevicePassthrough[] {
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
