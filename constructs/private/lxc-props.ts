import { ipv4ToInt, isIpv4, LXC_TEMPLATE_VOLID } from '../../model';
import type { ProxmoxLxcProps } from '../lxc';
import { PropsCheck } from './props-check';

/**
 * A DNS name, as pve-container requires of a container's `hostname` (`format => 'dns-name'` in
 * src/PVE/LXC/Config.pm, checked by pve-common's `pve_verify_dns_name`).
 */
const DNS_NAME = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

/** Proxmox guest ids: `pve_verify_vmid` in pve-common's src/PVE/JSONSchema.pm accepts 100 to 999999999. */
const VMID_MIN = 100;
const VMID_MAX = 999_999_999;

/**
 * Checks the props of a `ProxmoxLxc` used on its own and throws every problem at once as an
 * `InvalidPropsError` (path, value, hint per problem). A guest of a validated environment passes:
 * the spec validator checked the same facts with the spec's paths.
 */
export function checkLxcProps(construct: string, props: ProxmoxLxcProps): void {
  const c = new PropsCheck(construct);
  c.expect(
    DNS_NAME.test(props.name) && props.name.length <= 253,
    'name',
    'is not a host name',
    'Use letters, digits and hyphens (dots between labels), e.g. app-1.',
    props.name,
  );
  c.expect(props.nodeName.length > 0, 'nodeName', 'is empty', 'Name the Proxmox node the container runs on, e.g. pve1.', props.nodeName);
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
    'Give the id the container has: the import id is <nodeName>/<vmId>.',
    props.vmId,
  );
  checkNetwork(c, props);
  c.positive(props.cores, 'cores', 'Give at least one core, e.g. 2.', true);
  c.positive(props.memoryGib, 'memoryGib', 'Give the memory in GiB, e.g. 2 (0.5 for 512 MiB).');
  if (props.rootDisk) {
    c.positive(props.rootDisk.sizeGib, 'rootDisk.sizeGib', 'Give the root disk size in GiB, e.g. 8.');
    c.expect(
      props.rootDisk.datastoreId.length > 0,
      'rootDisk.datastoreId',
      'is empty',
      'Name a storage with content rootdir, e.g. local-lvm.',
      props.rootDisk.datastoreId,
    );
  }
  const seen = new Set<string>();
  (props.mountPoints ?? []).forEach((m, i) => {
    c.positive(m.sizeGib, `mountPoints[${i}].sizeGib`, 'Give the volume size in GiB, e.g. 100.');
    c.expect(m.datastoreId.length > 0, `mountPoints[${i}].datastoreId`, 'is empty', 'Name a storage with content rootdir, e.g. local-lvm.', m.datastoreId);
    c.expect(
      m.path.startsWith('/') && m.path !== '/',
      `mountPoints[${i}].path`,
      'must be an absolute path other than /',
      'Write where the volume appears in the container, e.g. /srv/data.',
      m.path,
    );
    c.expect(!seen.has(m.path), `mountPoints[${i}].path`, 'is mounted twice', 'Give each mount point its own path.', m.path);
    seen.add(m.path);
  });
  (props.devices ?? []).forEach((d, i) => {
    c.expect(/^\/dev\/[^\s]+$/.test(d.path), `devices[${i}].path`, 'is not a device node under /dev', 'Write the host device path, e.g. /dev/nvidia0.', d.path);
    if (d.mode !== undefined)
      c.expect(/^0?[0-7]{3}$/.test(d.mode), `devices[${i}].mode`, 'is not an octal mode', "Write it as Proxmox does, e.g. '0666'.", d.mode);
  });
  if (props.existingTemplateId !== undefined)
    c.expect(
      LXC_TEMPLATE_VOLID.test(props.existingTemplateId),
      'existingTemplateId',
      'is not a template volume id',
      'Write <storage>:vztmpl/<file>.tar.zst.',
      props.existingTemplateId,
    );
  c.done();
}

function checkNetwork(c: PropsCheck, props: ProxmoxLxcProps): void {
  const net = props.network;
  const [ip, prefix] = net.address.split('/');
  const ok = ip !== undefined && isIpv4(ip) && prefix !== undefined && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
  c.expect(ok, 'network.address', 'is not an IPv4 address with a prefix length', 'Write the address and its network prefix, e.g. 192.0.2.10/24.', net.address);
  c.expect(isIpv4(net.gateway), 'network.gateway', 'is not an IPv4 address', 'Write the gateway without a prefix, e.g. 192.0.2.1.', net.gateway);
  if (ok && isIpv4(net.gateway)) {
    const size = 2 ** (32 - Number(prefix));
    const sameNetwork = Math.floor(ipv4ToInt(ip) / size) === Math.floor(ipv4ToInt(net.gateway) / size);
    c.expect(
      sameNetwork,
      'network.gateway',
      `is outside ${net.address}'s network`,
      "Give a gateway on the container's own network, or fix the prefix length.",
      net.gateway,
    );
  }
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
