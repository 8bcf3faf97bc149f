/** A Proxmox VM from the environment model. */
import { Construct } from 'constructs';
import type { Environment, Guest } from '../model';
import { networkOf, nodeOf } from '../model';
import { pve } from '../providers/proxmox';
import { guestTags } from './private/tags';

export interface ProxmoxVmProps {
  /** The validated environment the guest belongs to. */
  readonly env: Environment;
  /** The guest to create; must be of kind `vm`. */
  readonly guest: Guest;
}

/**
 * A VM with `cpu.type = host`, the guest agent on, disks on the named datastores (discard and
 * iothread on, `ssd` where the datastore is flash) and every NIC behind the Proxmox firewall.
 */
export class ProxmoxVm extends Construct {
  /** The L1 resource, for escape hatches (`addOverride`). */
  readonly resource: pve.virtualEnvironmentVm.VirtualEnvironmentVm;
  readonly guest: Guest;

  constructor(scope: Construct, id: string, props: ProxmoxVmProps) {
    super(scope, id);
    const { env, guest } = props;
    if (guest.kind !== 'vm') throw new Error(`ProxmoxVm needs a vm guest, got ${guest.kind} ${guest.name}`);
    this.guest = guest;
    const node = nodeOf(env, guest)!;
    const net = networkOf(env, guest);
    this.resource = new pve.virtualEnvironmentVm.VirtualEnvironmentVm(this, 'Resource', {
      name: guest.name,
      nodeName: node.name,
      ...(guest.vmId !== undefined ? { vmId: guest.vmId } : {}),
      description: `${guest.role} guest of environment ${env.name}, managed by pvestack`,
      tags: guestTags(env, guest),
      onBoot: true,
      started: true,
      agent: { enabled: true },
      cpu: { cores: guest.cores, type: 'host' },
      memory: { dedicated: Math.round(guest.memoryGib * 1024) },
      operatingSystem: { type: 'l26' },
      scsiHardware: 'virtio-scsi-single',
      startup: { order: guest.startupOrder },
      disk: guest.disks.map((d, i) => {
        const store = node.datastores.find((s) => s.id === d.datastore);
        const flash = store?.media === 'ssd' || store?.media === 'nvme';
        return {
          interface: `scsi${i}`,
          datastoreId: d.datastore,
          size: Math.ceil(d.sizeGib),
          discard: 'on',
          iothread: true,
          ...(flash ? { ssd: true } : {}),
        };
      }),
      networkDevice: [{ bridge: net.bridge, model: 'virtio', firewall: true, ...(net.vlan !== undefined ? { vlanId: net.vlan } : {}) }],
      initialization: {
        ipConfig: [{ ipv4: { address: `${guest.ipv4}/${net.prefix}`, gateway: net.gateway } }],
        dns: { servers: [...net.dns], ...(net.domain ? { domain: net.domain } : {}) },
      },
    });
  }
}
