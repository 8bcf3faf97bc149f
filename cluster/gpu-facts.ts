/**
 * From a node's PCI list to the spec's GPU entries: which devices are GPUs, their marketing name,
 * VRAM where pvestack knows the card, whether their other functions share the IOMMU group, and
 * which existing mapping already points at them. Pure; `discover` and `import` share it.
 */
import type { GpuSpec } from '../model';
import type { PciDevice, PciMapping } from './api';
import { parsePropertyString } from './property-string';

/** GPU vendors whose display/3D controllers are passthrough candidates (on-board BMC VGA such as ASPEED is not). */
const GPU_VENDORS: Readonly<Record<string, string>> = { '0x10de': 'NVIDIA', '0x1002': 'AMD' };

/**
 * VRAM by PCI device id, for cards the AI teams use. Ids from the PCI ID repository
 * (pci-ids.ucw.cz, vendor 10de), memory from NVIDIA's product datasheets. A card missing here is
 * printed without vramGib, which the spec requires: the user fills it in.
 */
export const KNOWN_VRAM_GIB: Readonly<Record<string, number>> = {
  '10de:26b9': 48, // L40S
  '10de:26b5': 48, // L40
  '10de:26b1': 48, // RTX 6000 Ada Generation
  '10de:2230': 48, // RTX A6000
  '10de:2235': 48, // A40
  '10de:2236': 24, // A10
  '10de:27b8': 24, // L4
  '10de:1eb8': 16, // Tesla T4
  '10de:20b5': 80, // A100 PCIe 80GB
  '10de:2331': 80, // H100 PCIe
  '10de:2684': 24, // GeForce RTX 4090
  '10de:2204': 24, // GeForce RTX 3090
};

const hex = (v: string | undefined) => (v ?? '').replace(/^0x/, '').toLowerCase();
const id = (vendor?: string, device?: string) => (vendor && device ? `${hex(vendor)}:${hex(device)}` : undefined);
const slot = (address: string) => address.replace(/\.[0-7]$/, '');

/** `NVIDIA` + `AD102GL [L40S]` → `NVIDIA L40S`; falls back to the whole device name. */
export function marketingName(d: PciDevice): string {
  const vendor = GPU_VENDORS[d.vendor.toLowerCase()] ?? d.vendor_name ?? hex(d.vendor);
  const bracket = /\[([^\]]+)\]\s*$/.exec(d.device_name ?? '');
  return `${vendor} ${bracket ? bracket[1] : (d.device_name ?? hex(d.device))}`;
}

export interface DiscoveredGpu {
  /** The spec entry; `vramGib` is 0 when unknown (the renderer leaves it out). */
  readonly spec: GpuSpec & { readonly vramGib: number };
  readonly device: PciDevice;
  /** Other devices in the IOMMU group (not functions of this card). */
  readonly groupNeighbours: readonly PciDevice[];
  /** The card's other functions (audio, USB-C) in the same group. */
  readonly ownFunctions: readonly PciDevice[];
  /** An existing mapping that points at the card on this node. */
  readonly mapping?: PciMapping;
}

/** The GPUs of a node, in PCI order, named after their mapping or `gpu-<node>-<n>`. */
export function discoverGpus(node: string, pci: readonly PciDevice[], mappings: readonly PciMapping[]): DiscoveredGpu[] {
  const gpus = pci.filter((d) => /^0x03/.test(d.class) && GPU_VENDORS[d.vendor.toLowerCase()] && /\.0$/.test(d.id)).sort((a, b) => a.id.localeCompare(b.id));
  return gpus.map((device, n) => {
    const mapping = mappings.find((m) =>
      m.map.some((e) => {
        const entry = parsePropertyString(e);
        return entry.node === node && (entry.path ?? '').split(';').some((p) => slot(p) === slot(device.id));
      }),
    );
    const group = pci.filter((d) => d.iommugroup >= 0 && d.iommugroup === device.iommugroup && d.id !== device.id);
    const ownFunctions = group.filter((d) => slot(d.id) === slot(device.id));
    const deviceId = id(device.vendor, device.device)!;
    const subsystemId = id(device.subsystem_vendor, device.subsystem_device);
    const spec = {
      name: mapping?.id ?? `gpu-${node}-${n}`,
      pciAddress: device.id,
      model: marketingName(device),
      vramGib: KNOWN_VRAM_GIB[deviceId] ?? 0,
      deviceId,
      ...(subsystemId && subsystemId !== '0000:0000' ? { subsystemId } : {}),
      ...(device.iommugroup >= 0 ? { iommuGroup: device.iommugroup } : {}),
      ...(ownFunctions.length > 0 ? { allFunctions: true } : {}),
      ...(mapping ? { adopt: true } : {}),
    };
    return { spec, device, groupNeighbours: group.filter((d) => !ownFunctions.includes(d)), ownFunctions, ...(mapping ? { mapping } : {}) };
  });
}
