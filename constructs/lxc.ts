/** A Proxmox LXC container from the environment model. */
import { Construct } from 'constructs';
import type { Environment, Guest } from '../model';
import { networkOf, nodeOf } from '../model';
import { pve } from '../providers/proxmox';
import { guestTags } from './private/tags';

export interface ProxmoxLxcProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `lxc`. */
  readonly guest: Guest;
}

/**
 * An LXC container, unprivileged unless the spec gives a reason, with its NIC behind the
 * Proxmox firewall.
 */
export class ProxmoxLxc extends Construct {
  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentContainer.VirtualEnvironmentContainer;
  readonly guest: Guest;

  constructor(scope: Construct, id: string, props: ProxmoxLxcProps) {
    super(scope, id);
    const { env, guest } = props;
    if (guest.kind !== 'lxc' || !guest.lxc) throw new Error(`ProxmoxLxc needs an lxc guest, got ${guest.kind} ${guest.name}`);
    this.guest = guest;
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    const [root, ...data] = guest.disks;
    this.resource = new pve.virtualEnvironmentContainer.VirtualEnvironmentContainer(this, 'Resource', {
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} container of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest),
      unprivileged: guest.lxc.unprivileged,
      startOnBoot: true,
      started: true,
      cpu: { cores: guest.cores },
      memory: { dedicated: Math.round(guest.memoryGib * 1024) },
      disk: { datastoreId: root!.datastore, size: Math.ceil(root!.sizeGib) },
      mountPoint: data.map((d) => ({ volume: d.datastore, size: `${Math.ceil(d.sizeGib)}G`, path: d.mountPoint ?? `/mnt/${d.name}` })),
      operatingSystem: { templateFileId: guest.lxc.template, type: 'ubuntu' },
      networkInterface: [{ name: 'eth0', bridge: net.bridge, firewall: true, ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}) }],
      initialization: {
        hostname: guest.name,
        ipConfig: [{ ipv4: { address: `${guest.ipv4}/${net.prefix}`, gateway: net.gateway } }],
        dns: { servers: [...net.dns], ...(net.domain ? { domain: net.domain } : {}) },
        userAccount: { keys: [...env.admin.sshKeys] },
      },
      startup: { order: guest.startupOrder },
    });
  }
}
