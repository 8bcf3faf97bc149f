/**
 * From a hand-made guest's configuration (as `GET /nodes/{node}/qemu|lxc/{vmid}/config` returns
 * it) to a spec entry the model can adopt: the settings the model expresses, a note on every
 * setting it cannot, and the attributes the first apply would change because the model sets them
 * differently. Pure: the facts come in, plain data goes out.
 */
import type { Environment, GpuSpec, GuestRole, NetworkSpec } from '../../model';
import { Cidr, intToIpv4, ipv4ToInt, isIpv4 } from '../../model';
import type { ClusterResource, GuestConfig, PciDevice, PciMapping } from '../api';
import { tagsOf } from '../doctor/rules/guests';
import { discoverGpus } from '../gpu-facts';
import { parsePropertyString, sizeToGib } from '../property-string';

/** One attribute the first apply changes on the adopted guest. */
export interface AdoptionChange {
  readonly attribute: string;
  readonly from: string;
  readonly to: string;
}

export interface ImportedGuest {
  readonly vmid: number;
  readonly node: string;
  readonly kind: 'vm' | 'lxc';
  /** The guest's name on the cluster. */
  readonly clusterName: string;
  /** The spec entry (a `GuestSpec`), keys in the order the YAML shows them. */
  readonly spec: Record<string, unknown>;
  /** Comments on spec keys (`role`, `disks`, ...). */
  readonly comments: Readonly<Record<string, string>>;
  /** Settings the model cannot express, one line each. */
  readonly notes: readonly string[];
  readonly changes: readonly AdoptionChange[];
}

export interface NodeFactsForImport {
  readonly pci: readonly PciDevice[];
}

export interface ImportInput {
  readonly env: Environment;
  readonly resource: ClusterResource;
  readonly config: GuestConfig;
  readonly node: NodeFactsForImport;
  readonly mappings: readonly PciMapping[];
  /** Networks known so far (the spec's plus ones added for earlier guests); new ones are appended. */
  readonly networks: NetworkSpec[];
  /** GPUs known per node (the spec's plus ones added earlier); new ones are appended. */
  readonly nodeGpus: Map<string, GpuSpec[]>;
  /** Names taken (the spec's guests and earlier imports). */
  readonly takenNames: Set<string>;
}

const ROLES: readonly GuestRole[] = ['web', 'proxy', 'db', 'cache', 'llm', 'ml', 'worker', 'monitoring', 'bastion', 'app', 'mail', 'backup', 'management'];
const GiB = 1024;
const str = (v: unknown) => (v === undefined ? '(none)' : String(v));

/** A spec-valid guest name from a cluster name (`Portainer_CE` → `portainer-ce`), unique among `taken`. */
export function specName(clusterName: string, vmid: number, taken: ReadonlySet<string>): string {
  let base = clusterName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  if (!/^[a-z]/.test(base)) base = `guest-${vmid}${base ? `-${base}` : ''}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/** The network a NIC is on: a spec network with its bridge, VLAN and a CIDR holding the address, or a new one. */
function networkFor(
  input: ImportInput,
  bridge: string,
  vlan: number | undefined,
  address: string | undefined,
  gateway: string | undefined,
): { name: string; added?: NetworkSpec } | undefined {
  const [ip, prefix] = (address ?? '').split('/');
  const known = input.networks.find((n) => n.bridge === bridge && n.vlan === vlan && (!ip || !isIpv4(ip) || Cidr.tryParse(n.cidr)?.contains(ip)));
  if (known) return { name: known.name };
  if (!ip || !isIpv4(ip) || !prefix || !gateway) return undefined;
  const size = 2 ** (32 - Number(prefix));
  const cidr = `${intToIpv4(Math.floor(ipv4ToInt(ip) / size) * size)}/${prefix}`;
  let name = vlan !== undefined ? `${bridge}-vlan${vlan}` : bridge;
  name = name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(name)) name = `net-${name}`;
  for (let n = 2; input.networks.some((x) => x.name === name); n++) name = `${name}-${n}`;
  const added: NetworkSpec = { name, bridge, cidr, gateway, ...(vlan !== undefined ? { vlan } : {}) };
  input.networks.push(added);
  return { name, added };
}

function roleOf(resource: ClusterResource, hasGpu: boolean): { role: GuestRole; guessed: boolean } {
  const tagged = tagsOf(resource)
    .map((t) => /^role-(.+)$/.exec(t)?.[1])
    .find((r): r is GuestRole => !!r && ROLES.includes(r as GuestRole));
  if (tagged) return { role: tagged, guessed: false };
  return { role: hasGpu ? 'ml' : 'app', guessed: true };
}

/** Extra tags to keep: everything but the ones pvestack writes itself. */
function extraTags(resource: ClusterResource): string[] {
  return tagsOf(resource).filter((t) => t !== 'pvestack' && t !== 'stateful' && t !== 'gpu' && !/^(env|role|nvidia-driver)-/.test(t));
}

/** A disk volume id's storage: `local-lvm:vm-100-disk-1` → `local-lvm`. */
const storageOf = (volume: string) => volume.split(':')[0]!;

const VM_DISK = /^(scsi|virtio|sata|ide)(\d+)$/;
/** Keys the translation reads; any other key is reported as not expressible (minus bookkeeping keys). */
const VM_HANDLED = new Set([
  'name',
  'tags',
  'cores',
  'sockets',
  'memory',
  'balloon',
  'machine',
  'bios',
  'efidisk0',
  'cpu',
  'ostype',
  'agent',
  'onboot',
  'boot',
  'scsihw',
  'net0',
  'ipconfig0',
  'nameserver',
  'searchdomain',
  'startup',
  'protection',
  'description',
  'ciuser',
  'sshkeys',
  'numa',
]);
const LXC_HANDLED = new Set([
  'hostname',
  'tags',
  'cores',
  'memory',
  'swap',
  'arch',
  'ostype',
  'unprivileged',
  'onboot',
  'features',
  'rootfs',
  'net0',
  'nameserver',
  'searchdomain',
  'startup',
  'protection',
  'description',
]);
const BOOKKEEPING = new Set(['digest', 'vmgenid', 'smbios1', 'meta', 'lock', 'parent']);

function inexpressible(config: GuestConfig, handled: ReadonlySet<string>, isDisk: (k: string) => boolean): string[] {
  return Object.entries(config)
    .filter(([k]) => !handled.has(k) && !BOOKKEEPING.has(k) && !isDisk(k) && !/^hostpci\d+$/.test(k))
    .map(([k, v]) => `${k}: ${v} — the model cannot express it; check the first plan for what the provider does with it`);
}

/** Startup order from `order=10,up=30`. */
const startupOrderOf = (config: GuestConfig) => {
  const order = parsePropertyString(String(config.startup ?? '')).order;
  return order !== undefined ? Number(order) : undefined;
};

/** Translates one VM. */
function translateVm(input: ImportInput, name: string): ImportedGuest {
  const { resource, config, env } = input;
  const node = resource.node!;
  const notes: string[] = [];
  const comments: Record<string, string> = {};
  const changes: AdoptionChange[] = [];

  // GPUs: hostpciN by mapping name, or a raw address the model turns into a mapping.
  const gpuNames: string[] = [];
  const known = input.nodeGpus.get(node) ?? [];
  const discovered = discoverGpus(node, input.node.pci, input.mappings);
  for (const [key, value] of Object.entries(config).filter(([k]) => /^hostpci\d+$/.test(k))) {
    const hp = parsePropertyString(String(value), 'host');
    const byMapping = hp.mapping ? (known.find((g) => g.name === hp.mapping) ?? discovered.find((d) => d.spec.name === hp.mapping)?.spec) : undefined;
    // A raw address (`0000:01:00` for the whole card, `01:00.0` for one function) names the card by its slot.
    const slot = hp.host ? (hp.host.length <= 7 ? `0000:${hp.host}` : hp.host).replace(/\.[0-7]$/, '') : undefined;
    const atSlot = (address: string) => address.replace(/\.[0-7]$/, '') === slot;
    const byAddress = slot ? (known.find((g) => atSlot(g.pciAddress)) ?? discovered.find((d) => atSlot(d.device.id))?.spec) : undefined;
    const gpu = byMapping ?? byAddress;
    if (!gpu) {
      notes.push(`${key}: ${value} — not a GPU pvestack can map; passthrough of other devices is outside the model`);
      continue;
    }
    if (!known.some((g) => g.name === gpu.name)) {
      known.push(gpu);
      input.nodeGpus.set(node, known);
    }
    gpuNames.push(gpu.name);
    if (!hp.mapping) changes.push({ attribute: `${key}`, from: String(value), to: `mapping=${gpu.name},pcie=1,rombar=1 (a PCI mapping the apply creates)` });
    else if (hp.pcie !== '1') changes.push({ attribute: `${key}.pcie`, from: str(hp.pcie), to: '1' });
  }
  const hasGpu = gpuNames.length > 0;
  const { role, guessed } = roleOf(resource, hasGpu);
  if (guessed) comments.role = 'guessed: set what the guest is for (it decides tags, statefulness and checks)';

  // Disks, boot disk first; cloud-init drives and CD-ROMs are not disks.
  const bootOrder = (parsePropertyString(String(config.boot ?? ''))['order'] ?? '').split(';');
  const diskKeys = Object.keys(config)
    .filter((k) => VM_DISK.test(k) && !/media=cdrom/.test(String(config[k])))
    .sort((a, b) => {
      const ia = bootOrder.indexOf(a);
      const ib = bootOrder.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b, 'en', { numeric: true });
    });
  const disks = diskKeys.map((k, i) => {
    const d = parsePropertyString(String(config[k]), 'file');
    const interfaceWanted = `scsi${i}`;
    if (k !== interfaceWanted)
      changes.push({
        attribute: `disk ${k}`,
        from: k,
        to: `${interfaceWanted} (the model attaches disks as scsi0, scsi1, ...; moving a disk to another bus is a detach and attach: check the plan)`,
      });
    return { ...(i > 0 ? { name: `data${i}` } : {}), sizeGib: Math.ceil(sizeToGib(d.size ?? '0') ?? 0), datastore: storageOf(d.file ?? '') };
  });
  if (disks.length > 1) comments.disks = 'data disks: add mountPoint (where the guest mounts them) if pvestack should know it';
  for (const k of Object.keys(config).filter((x) => VM_DISK.test(x) && /media=cdrom/.test(String(config[x])) && !/cloudinit/.test(String(config[x]))))
    notes.push(`${k}: ${config[k]} — CD-ROM drives are outside the model`);

  // Network: the first NIC; more NICs are outside the model.
  const net = parsePropertyString(String(config.net0 ?? ''));
  const ipc = parsePropertyString(String(config.ipconfig0 ?? ''));
  const vlan = net.tag !== undefined ? Number(net.tag) : undefined;
  const network = net.bridge ? networkFor(input, net.bridge, vlan, ipc.ip, ipc.gw) : undefined;
  for (const k of Object.keys(config).filter((x) => /^net[1-9]\d*$/.test(x)))
    notes.push(`${k}: ${config[k]} — only the first NIC is in the model; the apply would remove this one`);
  if (net.firewall !== '1') changes.push({ attribute: 'network_device.firewall', from: str(net.firewall ?? '0'), to: 'true' });
  const nicModel = Object.keys(net).find((k) => ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3'].includes(k));
  if (nicModel && nicModel !== 'virtio') changes.push({ attribute: 'network_device.model', from: nicModel, to: 'virtio' });

  const memory = Number(parsePropertyString(String(config.memory ?? '2048'), 'current').current ?? 2048);
  const sockets = Number(config.sockets ?? 1);
  if (sockets > 1)
    notes.push(
      `sockets: ${sockets} — the model has cores only; ${sockets} × ${config.cores} become ${sockets * Number(config.cores ?? 1)} cores on one socket (a reboot)`,
    );
  if (String(config.cpu ?? 'kvm64').split(',')[0] !== 'host') changes.push({ attribute: 'cpu.type', from: str(config.cpu ?? 'kvm64 (default)'), to: 'host' });
  if (String(config.scsihw ?? 'lsi') !== 'virtio-scsi-single')
    changes.push({ attribute: 'scsi_hardware', from: str(config.scsihw ?? 'lsi (default)'), to: 'virtio-scsi-single' });
  if (!/^1|enabled=1/.test(String(config.agent ?? '0')))
    changes.push({
      attribute: 'agent.enabled',
      from: str(config.agent ?? '0'),
      to: 'true (install qemu-guest-agent in the guest first, or shutdowns time out)',
    });
  if (Number(config.onboot ?? 0) !== 1) changes.push({ attribute: 'on_boot', from: str(config.onboot ?? '0'), to: 'true' });
  if (hasGpu && String(config.machine ?? '') !== 'q35') changes.push({ attribute: 'machine', from: str(config.machine ?? 'i440fx (default)'), to: 'q35' });
  if (hasGpu && String(config.bios ?? 'seabios') !== 'ovmf')
    changes.push({ attribute: 'bios', from: str(config.bios ?? 'seabios'), to: 'ovmf (a guest installed for BIOS boot will not boot: check before applying)' });
  if (!hasGpu && String(config.bios ?? 'seabios') === 'ovmf')
    changes.push({
      attribute: 'bios',
      from: 'ovmf',
      to: 'seabios (the model uses OVMF for GPU VMs only; the guest would not boot: adopt it with a GPU or keep it out of pvestack)',
    });
  if (hasGpu && Number(config.balloon ?? 1) !== 0)
    changes.push({ attribute: 'memory.floating', from: str(config.balloon ?? 'ballooning on'), to: '0 (ballooning off for passthrough)' });
  if (!hasGpu && config.efidisk0) notes.push(`efidisk0: ${config.efidisk0} — EFI disks are modelled for GPU VMs only`);
  if (!config.ipconfig0)
    notes.push('ipconfig0: none — the address was not readable from Proxmox (no cloud-init); ipv4 below must be set to the address the guest really has');
  if (config.ciuser || config.sshkeys)
    notes.push("ciuser/sshkeys — the cloud-init user stays as it is: pvestack does not change a guest's cloud-init on adoption");
  notes.push(...inexpressible(config, VM_HANDLED, (k) => VM_DISK.test(k) || /^net\d+$/.test(k)));
  changes.push(...commonChanges(env, resource, config, role, hasGpu ? ['gpu'] : []));

  const spec: Record<string, unknown> = {
    name,
    kind: 'vm',
    role,
    node,
    vmId: resource.vmid,
    adopt: true,
    cores: Number(config.cores ?? 1) * sockets,
    memoryGib: Math.round((memory / GiB) * 100) / 100,
    ...(network ? { network: network.name } : {}),
    ipv4: ipc.ip ? ipc.ip.split('/')[0] : 'set-me',
    disks,
    ...(gpuNames.length ? { gpus: gpuNames } : {}),
    ...(startupOrderOf(config) !== undefined ? { startupOrder: startupOrderOf(config) } : {}),
    ...(extraTags(resource).length ? { tags: extraTags(resource) } : {}),
  };
  if (!network && net.bridge)
    notes.push(
      `net0: ${config.net0} — no network of the spec has bridge ${net.bridge}${vlan !== undefined ? ` VLAN ${vlan}` : ''} and the address, and none could be made from ipconfig0: add the network and set network/ipv4`,
    );
  return { vmid: resource.vmid!, node, kind: 'vm', clusterName: String(config.name ?? resource.name ?? ''), spec, comments, notes, changes };
}

/** Translates one container. */
function translateLxc(input: ImportInput, name: string): ImportedGuest {
  const { resource, config, env } = input;
  const node = resource.node!;
  const notes: string[] = [];
  const comments: Record<string, string> = {};
  const changes: AdoptionChange[] = [];
  const { role, guessed } = roleOf(resource, false);
  if (guessed) comments.role = 'guessed: set what the guest is for (it decides tags, statefulness and checks)';

  const root = parsePropertyString(String(config.rootfs ?? ''), 'volume');
  const disks: Record<string, unknown>[] = [{ sizeGib: Math.ceil(sizeToGib(root.size ?? '0') ?? 0), datastore: storageOf(root.volume ?? '') }];
  for (const [k, v] of Object.entries(config)
    .filter(([key]) => /^mp\d+$/.test(key))
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const mp = parsePropertyString(String(v), 'volume');
    if ((mp.volume ?? '').startsWith('/'))
      notes.push(`${k}: ${v} — a bind mount of host path ${mp.volume} at ${mp.mp}: outside the model; adoption keeps the container's mount points as they are`);
    else
      disks.push({
        name: `data${disks.length}`,
        sizeGib: Math.ceil(sizeToGib(mp.size ?? '0') ?? 0),
        datastore: storageOf(mp.volume ?? ''),
        ...(mp.mp ? { mountPoint: mp.mp } : {}),
      });
  }
  const net = parsePropertyString(String(config.net0 ?? ''));
  const vlan = net.tag !== undefined ? Number(net.tag) : undefined;
  const network = net.bridge ? networkFor(input, net.bridge, vlan, net.ip, net.gw) : undefined;
  for (const k of Object.keys(config).filter((x) => /^net[1-9]\d*$/.test(x)))
    notes.push(`${k}: ${config[k]} — only the first NIC is in the model; the apply would remove this one`);
  if (net.firewall !== '1') changes.push({ attribute: 'network_interface.firewall', from: str(net.firewall ?? '0'), to: 'true' });
  if (!net.ip || net.ip === 'dhcp') notes.push(`net0: ${config.net0} — no static address; ipv4 below must be set to the address the container really has`);

  const unprivileged = Number(config.unprivileged ?? 0) === 1;
  if (!unprivileged) comments.lxc = 'privileged as found on the cluster: say why it must stay so, or recreate it unprivileged';
  const features = String(config.features ?? '');
  if (features)
    changes.push({
      attribute: 'features',
      from: features,
      to: 'nesting=1,keyctl=1 only when the guest runs app stacks, else none (add its stacks to keep Docker working)',
    });
  if (Number(config.swap ?? 512) !== 0) notes.push(`swap: ${config.swap ?? 512} MiB — the model leaves swap to the provider's default`);
  notes.push('template — what the container was created from is not readable; adoption keeps it as it is');
  if (Number(config.onboot ?? 0) !== 1) changes.push({ attribute: 'start_on_boot', from: str(config.onboot ?? '0'), to: 'true' });
  notes.push(...inexpressible(config, LXC_HANDLED, (k) => /^(mp|net)\d+$/.test(k)));
  changes.push(...commonChanges(env, resource, config, role, []));

  const memoryMib = Number(config.memory ?? 512);
  const spec: Record<string, unknown> = {
    name,
    kind: 'lxc',
    role,
    node,
    vmId: resource.vmid,
    adopt: true,
    cores: Number(config.cores ?? 1),
    memoryGib: Math.round((memoryMib / GiB) * 100) / 100,
    ...(network ? { network: network.name } : {}),
    ipv4: net.ip && net.ip !== 'dhcp' ? net.ip.split('/')[0] : 'set-me',
    disks,
    ...(startupOrderOf(config) !== undefined ? { startupOrder: startupOrderOf(config) } : {}),
    ...(extraTags(resource).length ? { tags: extraTags(resource) } : {}),
    ...(unprivileged ? {} : { lxc: { unprivileged: false, privilegedReason: 'Adopted as found on the cluster; review before the first apply.' } }),
  };
  return { vmid: resource.vmid!, node, kind: 'lxc', clusterName: String(config.hostname ?? resource.name ?? ''), spec, comments, notes, changes };
}

/** Changes every adopted guest gets: pvestack's tags, description and protection. */
function commonChanges(env: Environment, resource: ClusterResource, config: GuestConfig, role: GuestRole, extra: readonly string[]): AdoptionChange[] {
  const stateful = role === 'db' || role === 'llm';
  const want = [...new Set([`env-${env.name}`, `role-${role}`, 'pvestack', ...(stateful ? ['stateful'] : []), ...extra, ...extraTags(resource)])].sort();
  const have = tagsOf(resource).sort();
  const out: AdoptionChange[] = [];
  if (want.join(';') !== have.join(';')) out.push({ attribute: 'tags', from: have.join(';') || '(none)', to: want.join(';') });
  out.push({
    attribute: 'description',
    from: config.description !== undefined ? JSON.stringify(String(config.description)) : '(none)',
    to: `"${role} ${resource.type === 'lxc' ? 'container' : 'guest'} of environment ${env.name}, managed by pvestack"`,
  });
  if (Number(config.protection ?? 0) !== (stateful ? 1 : 0)) out.push({ attribute: 'protection', from: str(config.protection ?? '0'), to: String(stateful) });
  if (startupOrderOf(config) === undefined) out.push({ attribute: 'startup.order', from: '(none)', to: 'by role (db 10, cache 20, llm 30, others 50)' });
  // constructs/firewall.ts manages the guest's whole rule list (proxmox_virtual_environment_firewall_rules).
  out.push({
    attribute: 'firewall',
    from: 'the rules made by hand, if any',
    to: "the spec's connections only, with input policy DROP (declare the flows the guest needs under connections first)",
  });
  return out;
}

export function translateGuest(input: ImportInput): ImportedGuest {
  const clusterName = String(input.config.name ?? input.config.hostname ?? input.resource.name ?? `guest-${input.resource.vmid}`);
  const name = specName(clusterName, input.resource.vmid!, input.takenNames);
  input.takenNames.add(name);
  return input.resource.type === 'lxc' ? translateLxc(input, name) : translateVm(input, name);
}
