/**
 * GPUs: each declared GPU is on its node at its PCI address with the ids and IOMMU group the spec
 * records (the mapping carries them, and Proxmox refuses to start a VM whose mapping no longer
 * matches the hardware: pve-guest-common `src/PVE/Mapping/PCI.pm`, `assert_valid`), what else
 * shares its IOMMU group, and whether its mapping already exists on the cluster.
 */
import type { Issue } from '../../../checks';
import type { ClusterNode, Gpu } from '../../../model';
import type { PciDevice, PciMapping } from '../../api';
import type { NodeFacts } from '../../facts';
import { parsePropertyString } from '../../property-string';
import type { DoctorContext, DoctorRule } from '../types';
import { liveNodes } from './nodes';

/** `0x10de` + `0x26b9` → `10de:26b9`. */
export function pciId(vendor: string | undefined, device: string | undefined): string | undefined {
  if (!vendor || !device) return undefined;
  return `${vendor.replace(/^0x/, '').toLowerCase()}:${device.replace(/^0x/, '').toLowerCase()}`;
}

/** Readable name of a device for messages. */
export function describeDevice(d: PciDevice): string {
  const name = [d.vendor_name, d.device_name].filter(Boolean).join(' ');
  return `${d.id}${name ? ` (${name})` : ''}`;
}

/** The card's slot, `0000:01:00`, shared by all its functions. */
export function slotOf(address: string): string {
  return address.replace(/\.[0-7]$/, '');
}

/** The path a mapping entry has for a GPU: the slot when every function is passed. */
export function mappingPath(gpu: Gpu): string {
  return gpu.allFunctions ? slotOf(gpu.pciAddress) : gpu.pciAddress;
}

interface GpuAt {
  readonly node: ClusterNode;
  readonly gpu: Gpu;
  readonly path: string;
  readonly live: NodeFacts;
  readonly device?: PciDevice;
}

function gpusOnLiveNodes(ctx: DoctorContext): GpuAt[] {
  return liveNodes(ctx).flatMap(({ node, index, live }) =>
    node.gpus.map((gpu, j) => ({ node, gpu, live, path: `cluster.nodes[${index}].gpus[${j}]`, device: live.pci.find((d) => d.id === gpu.pciAddress) })),
  );
}

const present = (g: GpuAt): g is GpuAt & { device: PciDevice } => g.device !== undefined;

export const gpuAddress: DoctorRule = {
  id: 'PVE-LIVE-005',
  family: 'live',
  severity: 'error',
  title: "Every GPU's PCI address exists on its node",
  check: (ctx) =>
    gpusOnLiveNodes(ctx)
      .filter((g) => !present(g))
      .map(({ node, gpu, path, live }) => {
        const candidates = live.pci.filter((d) => /^0x03/.test(d.class)).map(describeDevice);
        return {
          path: `${path}.pciAddress`,
          node: node.name,
          message: `node ${node.name} has no PCI device ${gpu.pciAddress} (GPU ${gpu.name}); display/3D controllers there: ${candidates.join(', ') || 'none'}`,
          hint: 'Copy the address from `pvestack discover --node ' + node.name + '` (or `lspci -D | grep -i nvidia`); a card moved to another slot changes it.',
        };
      }),
};

export const gpuDeviceId: DoctorRule = {
  id: 'PVE-LIVE-006',
  family: 'live',
  severity: 'error',
  title: "A GPU's vendor:device id equals the spec's deviceId",
  check: (ctx) =>
    gpusOnLiveNodes(ctx)
      .filter(present)
      .filter(({ gpu, device }) => gpu.deviceId !== pciId(device.vendor, device.device))
      .map(({ node, gpu, path, device }) => ({
        path: `${path}.deviceId`,
        node: node.name,
        message: `${gpu.pciAddress} on ${node.name} is ${pciId(device.vendor, device.device)} (${device.device_name ?? 'unknown device'}), the spec says ${gpu.deviceId ?? 'nothing'}`,
        hint: `Set deviceId: "${pciId(device.vendor, device.device)}" — or, if another card was meant, fix pciAddress.`,
      })),
};

export const gpuSubsystemId: DoctorRule = {
  id: 'PVE-LIVE-007',
  family: 'live',
  severity: 'error',
  title: "A GPU's subsystem id equals the spec's subsystemId",
  check: (ctx) =>
    gpusOnLiveNodes(ctx)
      .filter(present)
      .filter(({ gpu, device }) => {
        const real = pciId(device.subsystem_vendor, device.subsystem_device);
        return real !== undefined && gpu.subsystemId !== real;
      })
      .map(({ node, gpu, path, device }) => ({
        path: `${path}.subsystemId`,
        node: node.name,
        message: `${gpu.pciAddress} on ${node.name} has subsystem ${pciId(device.subsystem_vendor, device.subsystem_device)}, the spec says ${gpu.subsystemId ?? 'nothing'}`,
        hint: `Set subsystemId: "${pciId(device.subsystem_vendor, device.subsystem_device)}": the mapping records it, and Proxmox refuses to start a VM whose mapping does not match the device.`,
      })),
};

export const gpuIommuGroup: DoctorRule = {
  id: 'PVE-LIVE-008',
  family: 'live',
  severity: 'error',
  title: "A GPU's IOMMU group equals the spec's iommuGroup (and the IOMMU is on)",
  check: (ctx) =>
    gpusOnLiveNodes(ctx)
      .filter(present)
      .filter(({ gpu, device }) => device.iommugroup < 0 || gpu.iommuGroup !== device.iommugroup)
      .map(({ node, gpu, path, device }) =>
        device.iommugroup < 0
          ? {
              path: `${path}.iommuGroup`,
              node: node.name,
              message: `${gpu.pciAddress} on ${node.name} is in no IOMMU group: the node runs without an IOMMU, so nothing can be passed through`,
              hint: 'Enable VT-d/AMD-Vi in the firmware and the kernel (`intel_iommu=on` or `amd_iommu=on`, `iommu=pt`); the Ansible host playbook does this. Reboot, then run doctor again.',
            }
          : {
              path: `${path}.iommuGroup`,
              node: node.name,
              message: `${gpu.pciAddress} on ${node.name} is in IOMMU group ${device.iommugroup}, the spec says ${gpu.iommuGroup ?? 'nothing'}`,
              hint: `Set iommuGroup: ${device.iommugroup}; groups change when cards move or the firmware's ACS setting changes, so check nothing else moved.`,
            },
      ),
};

export const gpuGroupNeighbours: DoctorRule = {
  id: 'PVE-LIVE-009',
  family: 'live',
  severity: 'warning',
  title: "Nothing but the passed device (or all its functions) is in a GPU's IOMMU group",
  check: (ctx) =>
    gpusOnLiveNodes(ctx)
      .filter(present)
      .filter(({ device }) => device.iommugroup >= 0)
      .flatMap(({ node, gpu, path, device, live }): Issue[] => {
        const passed = (d: PciDevice) => (gpu.allFunctions ? slotOf(d.id) === slotOf(gpu.pciAddress) : d.id === gpu.pciAddress);
        const others = live.pci.filter((d) => d.iommugroup === device.iommugroup && !passed(d));
        if (others.length === 0) return [];
        const ownFunctions = others.every((d) => slotOf(d.id) === slotOf(gpu.pciAddress));
        return [
          {
            path: ownFunctions ? `${path}.allFunctions` : `${path}.pciAddress`,
            node: node.name,
            message: `IOMMU group ${device.iommugroup} of ${gpu.pciAddress} on ${node.name} also holds ${others.map(describeDevice).join(', ')}; a group is given to one guest as a whole`,
            hint: ownFunctions
              ? 'Set allFunctions: true so the mapping passes the whole card (its audio/USB functions share the group).'
              : 'Move the card to a slot with its own group, or enable ACS in the firmware; passing it now also takes the other devices away from the host.',
          },
        ];
      }),
};

/** The entry of a mapping for one node, parsed. */
export function mappingEntry(mapping: PciMapping, node: string): Record<string, string> | undefined {
  return mapping.map.map((e) => parsePropertyString(e)).find((e) => e.node === node);
}

/** Differences between what the spec would write into a mapping and what the cluster's says. */
export function mappingDifferences(gpu: Gpu, entry: Record<string, string> | undefined): string[] {
  if (!entry) return ['no entry for the node'];
  const want: Record<string, string | undefined> = {
    path: mappingPath(gpu),
    id: gpu.deviceId,
    'subsystem-id': gpu.subsystemId,
    iommugroup: gpu.iommuGroup?.toString(),
  };
  return Object.entries(want)
    .filter(([k, v]) => (entry[k] ?? undefined) !== v)
    .map(([k, v]) => `${k} ${entry[k] ?? '(none)'} → ${v ?? '(none)'}`);
}

export const gpuMappingName: DoctorRule = {
  id: 'PVE-LIVE-010',
  family: 'live',
  severity: 'error',
  title: "A GPU's mapping name is free on the cluster, or the GPU adopts that mapping",
  check: (ctx) =>
    gpusOnLiveNodes(ctx).flatMap(({ node, gpu, path }): Issue[] => {
      const existing = ctx.facts.mappings.find((m) => m.id === gpu.name);
      if (existing && !gpu.adopt)
        return [
          {
            path: `${path}.name`,
            node: node.name,
            message: `the cluster already has a PCI mapping named ${gpu.name} (${existing.map.join('; ')}); the apply would fail creating it`,
            hint: 'Adopt it (adopt: true on the GPU, which `pvestack import` writes) so the apply imports it, or give the GPU another name.',
          },
        ];
      if (!existing && gpu.adopt)
        return [
          {
            path: `${path}.adopt`,
            node: node.name,
            message: `GPU ${gpu.name} is marked adopt, but the cluster has no PCI mapping of that name`,
            hint: "Remove adopt (the apply then creates the mapping), or fix the name to the existing mapping's.",
          },
        ];
      return [];
    }),
};

export const gpuAdoptedMapping: DoctorRule = {
  id: 'PVE-LIVE-011',
  family: 'live',
  severity: 'warning',
  title: 'An adopted GPU mapping already says what the spec says (else the apply rewrites it)',
  check: (ctx) =>
    gpusOnLiveNodes(ctx).flatMap(({ node, gpu, path }): Issue[] => {
      const existing = ctx.facts.mappings.find((m) => m.id === gpu.name);
      if (!existing || !gpu.adopt) return [];
      const diffs = mappingDifferences(gpu, mappingEntry(existing, node.name));
      if (diffs.length === 0) return [];
      return [
        {
          path,
          node: node.name,
          message: `adopting mapping ${gpu.name} changes it on ${node.name}: ${diffs.join(', ')}`,
          hint: 'Make the spec match the mapping (`pvestack discover` prints the device facts), or accept that the apply rewrites the mapping; VMs using it must be stopped first.',
        },
      ];
    }),
};

export const gpuMappedTwice: DoctorRule = {
  id: 'PVE-LIVE-012',
  family: 'live',
  severity: 'warning',
  title: 'No other PCI mapping points at the same GPU',
  check: (ctx) =>
    gpusOnLiveNodes(ctx).flatMap(({ node, gpu, path }): Issue[] => {
      const others = ctx.facts.mappings.filter((m) => {
        if (m.id === gpu.name) return false;
        const entry = mappingEntry(m, node.name);
        return (entry?.path ?? '').split(';').some((p) => slotOf(p) === slotOf(gpu.pciAddress));
      });
      if (others.length === 0) return [];
      return [
        {
          path,
          node: node.name,
          message: `mapping${others.length === 1 ? '' : 's'} ${others.map((m) => m.id).join(', ')} already point${others.length === 1 ? 's' : ''} at ${slotOf(gpu.pciAddress)} on ${node.name}; a guest using ${others.length === 1 ? 'it' : 'them'} takes the card from this environment`,
          hint: `Adopt the existing mapping instead (name the GPU ${others[0]!.id} with adopt: true; \`pvestack import\` does it), or delete the other mapping once nothing uses it.`,
        },
      ];
    }),
};

export const GPU_RULES: readonly DoctorRule[] = [
  gpuAddress,
  gpuDeviceId,
  gpuSubsystemId,
  gpuIommuGroup,
  gpuGroupNeighbours,
  gpuMappingName,
  gpuAdoptedMapping,
  gpuMappedTwice,
];
