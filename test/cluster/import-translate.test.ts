/**
 * The pure part of `import`: hand-made configurations (as the Proxmox API returns them) to spec
 * entries, notes on what the model cannot express, and the changes adoption makes.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterResource, GuestConfig, PciDevice, PciMapping } from '../../cluster/api';
import { skipReason, translateAll } from '../../cluster/import/plan';
import { mergeImport } from '../../cluster/import/render';
import { loadEnvironmentFile, parseEnvironmentYaml } from '../../model';
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { labClusterRoutes } from '../fixtures/pve/lab-cluster';

const env = loadEnvironmentFile(path.join(__dirname, '..', 'fixtures', 'specs', 'live.yaml'));
const PCI = labClusterRoutes()['/nodes/pve1/hardware/pci'] as PciDevice[];
const MAPPINGS = labClusterRoutes()['/cluster/mapping/pci'] as PciMapping[];

/** The live spec without its GPU, as a team that has not described the card yet. */
function specWithoutGpu(): string {
  const spec = parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'specs', 'live.yaml'), 'utf8')) as Record<string, any>;
  delete spec.cluster.nodes[0].gpus;
  return stringify(spec);
}
const envWithoutGpu = () => parseEnvironmentYaml(specWithoutGpu(), 'live.yaml');

function one(resource: Partial<ClusterResource>, config: GuestConfig) {
  const r = { id: `qemu/${resource.vmid}`, type: 'qemu', node: 'pve1', ...resource } as ClusterResource;
  return translateAll(env, [r], new Map([[r.vmid!, config]]), new Map([['pve1', PCI]]), []);
}

describe('import translation', () => {
  it('turns a raw GPU passthrough into a GPU of the node whose mapping the apply creates', () => {
    const plan = one(
      { vmid: 150, name: 'rawgpu' },
      {
        name: 'rawgpu',
        cores: 8,
        memory: '32768',
        machine: 'q35',
        bios: 'ovmf',
        balloon: 0,
        cpu: 'host',
        agent: '1',
        onboot: 1,
        scsihw: 'virtio-scsi-single',
        scsi0: 'local-lvm:vm-150-disk-0,size=100G',
        hostpci0: '0000:01:00,pcie=1',
        net0: 'virtio=AA,bridge=vmbr0,firewall=1',
        ipconfig0: 'ip=192.168.10.60/24,gw=192.168.10.1',
        startup: 'order=30',
      },
    );
    const [g] = plan.guests;
    // The spec already declares that card as l40s (adopting its mapping), so the VM uses it.
    expect(g!.spec.gpus).toEqual(['l40s']);
    expect(g!.changes.find((c) => c.attribute === 'hostpci0')).toEqual({
      attribute: 'hostpci0',
      from: '0000:01:00,pcie=1',
      to: 'mapping=l40s,pcie=1,rombar=1 (a PCI mapping the apply creates)',
    });
    expect(g!.spec.startupOrder).toBe(30);
    expect(plan.gpus).toEqual([]);
  });

  it('adds the card of a GPU VM to its node when the spec lacks it, adopting the mapping the VM uses', () => {
    const config = labClusterRoutes()['/nodes/pve1/qemu/100/config'] as GuestConfig;
    const plan = translateAll(
      envWithoutGpu(),
      [{ id: 'qemu/100', type: 'qemu', vmid: 100, node: 'pve1', name: 'llm-lab' }],
      new Map([[100, config]]),
      new Map([['pve1', PCI]]),
      MAPPINGS,
    );
    expect(plan.gpus).toEqual([
      {
        node: 'pve1',
        gpu: {
          name: 'l40s',
          pciAddress: '0000:01:00.0',
          model: 'NVIDIA L40S',
          vramGib: 48,
          deviceId: '10de:26b9',
          subsystemId: '10de:1851',
          iommuGroup: 14,
          allFunctions: true,
          adopt: true,
        },
      },
    ]);
    expect(plan.guests[0]!.spec.gpus).toEqual(['l40s']);
    // Merged into the spec, the card lands on its node and the guest validates against it.
    const merged = parseEnvironmentYaml(mergeImport(specWithoutGpu(), plan), 'live.yaml');
    expect(merged.cluster.nodes[0]!.gpus.map((g) => [g.name, g.adopt])).toEqual([['l40s', true]]);
    expect(merged.guests.find((g) => g.name === 'llm-lab')!.gpus).toEqual(['l40s']);
  });

  it('notes a second NIC, a CD-ROM and sockets, and flags a disk on another bus and OVMF without a GPU', () => {
    const plan = one(
      { vmid: 151, name: 'Legacy_App' },
      {
        name: 'Legacy_App',
        cores: 2,
        sockets: 2,
        memory: '4096',
        bios: 'ovmf',
        efidisk0: 'local-lvm:vm-151-disk-1,size=4M',
        virtio0: 'local-lvm:vm-151-disk-0,size=40G',
        ide2: 'local:iso/debian.iso,media=cdrom',
        net0: 'e1000=AA,bridge=vmbr0',
        net1: 'virtio=BB,bridge=vmbr9',
        ipconfig0: 'ip=192.168.10.61/24,gw=192.168.10.1',
        args: '-cpu host',
      },
    );
    const [g] = plan.guests;
    expect(g!.spec).toMatchObject({ name: 'legacy-app', cores: 4, disks: [{ sizeGib: 40, datastore: 'local-lvm' }] });
    expect(g!.notes).toEqual([
      'ide2: local:iso/debian.iso,media=cdrom — CD-ROM drives are outside the model',
      'net1: virtio=BB,bridge=vmbr9 — only the first NIC is in the model; the apply would remove this one',
      'sockets: 2 — the model has cores only; 2 × 2 become 4 cores on one socket (a reboot)',
      'efidisk0: local-lvm:vm-151-disk-1,size=4M — EFI disks are modelled for GPU VMs only',
      'args: -cpu host — the model cannot express it; check the first plan for what the provider does with it',
    ]);
    const attrs = g!.changes.map((c) => c.attribute);
    expect(attrs).toEqual(expect.arrayContaining(['disk virtio0', 'network_device.firewall', 'network_device.model', 'bios', 'scsi_hardware']));
    expect(g!.changes.find((c) => c.attribute === 'bios')!.to).toMatch(/^seabios \(the model uses OVMF for GPU VMs only; the guest would not boot/);
  });

  it('adds a network for a bridge and VLAN the spec lacks, and leaves an unknown address to the user', () => {
    const plan = one(
      { vmid: 152, name: 'iot' },
      {
        name: 'iot',
        cores: 1,
        memory: '1024',
        scsi0: 'local-lvm:vm-152-disk-0,size=8G',
        net0: 'virtio=AA,bridge=vmbr1,firewall=1,tag=30',
        ipconfig0: 'ip=10.30.0.5/24,gw=10.30.0.1',
      },
    );
    expect(plan.networks).toEqual([{ name: 'vmbr1-vlan30', bridge: 'vmbr1', cidr: '10.30.0.0/24', gateway: '10.30.0.1', vlan: 30 }]);
    expect(plan.guests[0]!.spec).toMatchObject({ network: 'vmbr1-vlan30', ipv4: '10.30.0.5' });
    const dhcp = one(
      { vmid: 153, name: 'dhcp' },
      { name: 'dhcp', cores: 1, memory: '1024', scsi0: 'local-lvm:vm-153-disk-0,size=8G', net0: 'virtio=AA,bridge=vmbr0,firewall=1' },
    );
    expect(dhcp.guests[0]!.spec).toMatchObject({ network: 'lan', ipv4: 'set-me' });
    expect(dhcp.guests[0]!.notes[0]).toMatch(/^ipconfig0: none — the address was not readable/);
  });

  it('keeps a privileged container privileged, with a reason to review, and its volume mount points as data disks', () => {
    const plan = translateAll(
      env,
      [{ id: 'lxc/154', type: 'lxc', vmid: 154, node: 'pve1', name: 'files' }],
      new Map([
        [
          154,
          {
            hostname: 'files',
            cores: 1,
            memory: 1024,
            swap: 0,
            onboot: 1,
            rootfs: 'local-lvm:vm-154-disk-0,size=8G',
            mp0: 'tank:subvol-154-disk-1,mp=/srv/files,size=200G',
            net0: 'name=eth0,bridge=vmbr0,firewall=1,ip=192.168.10.62/24,gw=192.168.10.1',
            startup: 'order=50',
          },
        ],
      ]),
      new Map(),
      [],
    );
    const [g] = plan.guests;
    expect(g!.spec).toMatchObject({
      kind: 'lxc',
      disks: [
        { sizeGib: 8, datastore: 'local-lvm' },
        { name: 'data1', sizeGib: 200, datastore: 'tank', mountPoint: '/srv/files' },
      ],
      lxc: { unprivileged: false, privilegedReason: 'Adopted as found on the cluster; review before the first apply.' },
    });
    expect(g!.comments.lxc).toBe('privileged as found on the cluster: say why it must stay so, or recreate it unprivileged');
    expect(g!.notes).toEqual(['template — what the container was created from is not readable; adoption keeps it as it is']);
  });

  it.each([
    [{ vmid: 900, template: 1, tags: '' }, 'a template, not a guest'],
    [{ vmid: 210, tags: '' }, 'already in the spec as web'],
    [{ vmid: 901, tags: 'env-finance;pvestack' }, 'managed by pvestack environment finance'],
    [{ vmid: 902, name: 'web', tags: 'env-live;pvestack;role-web' }, 'created by this environment (guest web); Terraform manages it already'],
    [{ vmid: 903, node: 'pve2', tags: '' }, "node pve2 is not in the spec's cluster.nodes (add it first: pvestack discover --node pve2)"],
  ])('skips %j: %s', (r, reason) => {
    expect(skipReason(env, { id: 'qemu/x', type: 'qemu', node: 'pve1', ...r } as ClusterResource, {})).toBe(reason);
  });
});
