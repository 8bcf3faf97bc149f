import { isIpv4 } from '../../model';
import type { VmNetwork } from '../vm';
import { PropsCheck } from './props-check';

/**
 * A DNS name, as Proxmox requires of a VM's `name` and a container's `hostname` (`format =>
 * 'dns-name'` in qemu-server's src/PVE/QemuServer.pm and pve-container's src/PVE/LXC/Config.pm,
 * checked by pve-common's `pve_verify_dns_name`).
 */
const DNS_NAME = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

/** Proxmox guest ids: `pve_verify_vmid` in pve-common's src/PVE/JSONSchema.pm accepts 100 to 999999999. */
const VMID_MIN = 100;
const VMID_MAX = 999_999_999;

/** What a VM and a container share in their props. */
export interface GuestProps {
  readonly name: string;
  readonly nodeName: string;
  readonly network: VmNetwork;
  readonly vmId?: number;
  readonly cores?: number;
  readonly memoryGib?: number;
  readonly importExisting?: boolean;
}

/**
 * Checks the props every guest construct has: name, node, id, network, cores and memory. Nothing
 * here may be stricter than the spec validator, or a guest that passed every check could still
 * fail at synth (a gateway outside the address's prefix, for one, is a routed setup, not an error).
 */
export function checkGuestProps(c: PropsCheck, props: GuestProps): void {
  c.expect(
    DNS_NAME.test(props.name) && props.name.length <= 253,
    'name',
    'is not a host name',
    'Use letters, digits and hyphens (dots between labels), e.g. app-1.',
    props.name,
  );
  c.expect(props.nodeName.length > 0, 'nodeName', 'is empty', 'Name the Proxmox node the guest runs on, e.g. pve1.', props.nodeName);
  if (props.vmId !== undefined)
    c.expect(
      Number.isInteger(props.vmId) && props.vmId >= VMID_MIN && props.vmId <= VMID_MAX,
      'vmId',
      `must be an integer from ${VMID_MIN} to ${VMID_MAX}`,
      'Proxmox reserves ids below 100; leave vmId out to let Proxmox assign one.',
      props.vmId,
    );
  c.expect(
    !props.importExisting || props.vmId !== undefined,
    'vmId',
    'is required with importExisting',
    'Give the id the guest has: the import id is <nodeName>/<vmId>.',
    props.vmId,
  );
  checkNetwork(c, props.network);
  c.positive(props.cores, 'cores', 'Give at least one core, e.g. 2.', true);
  c.positive(props.memoryGib, 'memoryGib', 'Give the memory in GiB, e.g. 2 (0.5 for 512 MiB).');
}

function checkNetwork(c: PropsCheck, net: VmNetwork): void {
  const [ip, prefix] = net.address.split('/');
  const ok = ip !== undefined && isIpv4(ip) && prefix !== undefined && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
  c.expect(ok, 'network.address', 'is not an IPv4 address with a prefix length', 'Write the address and its network prefix, e.g. 192.0.2.10/24.', net.address);
  c.expect(isIpv4(net.gateway), 'network.gateway', 'is not an IPv4 address', 'Write the gateway without a prefix, e.g. 192.0.2.1.', net.gateway);
  c.expect(net.bridge.length > 0, 'network.bridge', 'is empty', 'Name the Linux bridge on the node, e.g. vmbr0.', net.bridge);
  if (net.vlanId !== undefined)
    c.expect(
      Number.isInteger(net.vlanId) && net.vlanId >= 1 && net.vlanId <= 4094,
      'network.vlanId',
      'must be an integer from 1 to 4094',
      'Give the 802.1Q tag, or leave it out for untagged.',
      net.vlanId,
    );
  (net.dnsServers ?? []).forEach((s, i) =>
    c.expect(isIpv4(s), `network.dnsServers[${i}]`, 'is not an IPv4 address', 'Write a resolver address, e.g. 192.0.2.1.', s),
  );
}
