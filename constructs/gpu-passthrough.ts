/**
 * GPU passthrough: one cluster PCI resource mapping per GPU declared on a node, and the VM
 * settings a passed-through GPU needs. VMs reference a GPU by mapping name only — that works
 * with API tokens (raw `hostpci` ids need root@pam with a password) and Proxmox checks the
 * hardware still matches the mapping.
 */
import { Construct } from 'constructs';
import type { Environment, Gpu, GpuSpec, Guest } from '../model';
import { SpecError } from '../model';
import { pve } from '../providers/proxmox';
import { importExisting } from './private/adopt';
import { stackSingleton } from './private/singleton';

type Hostpci = pve.virtualEnvironmentVm.VirtualEnvironmentVmHostpci;

/** What a VM with a passed-through GPU must run with: PCIe only exists on q35, and OVMF boots GPU ROMs. */
export const GPU_VM_MACHINE = 'q35';
export const GPU_VM_BIOS = 'ovmf';
/** The EFI vars disk type Proxmox recommends (`2m` is the legacy default). */
export const GPU_VM_EFI_TYPE = '4m';

export interface GpuPassthroughProps {
  /** The environment whose nodes declare the GPUs. */
  readonly env: Environment;
}

/**
 * The cluster's GPU mappings, and the ledger of which guest has which GPU: a GPU can be given to
 * one guest only, and a second claim throws a `SpecError` that names both guests.
 */
export class GpuPassthrough extends Construct {
  /** The stack's one instance, created on first use. */
  static of(scope: Construct, env: Environment): GpuPassthrough {
    return stackSingleton(scope, 'GpuPassthrough', (stack) => new GpuPassthrough(stack, 'GpuPassthrough', { env }));
  }

  /** Mapping resources by GPU (mapping) name. */
  readonly mappings = new Map<string, pve.hardwareMappingPci.HardwareMappingPci>();
  private readonly owners = new Map<string, Guest>();
  private readonly env: Environment;

  constructor(scope: Construct, id: string, props: GpuPassthroughProps) {
    super(scope, id);
    this.env = props.env;
    props.env.cluster.nodes.forEach((node) =>
      node.gpus.forEach((gpu) => {
        // A mapping entry needs the device id (hardware_mapping_pci map.id is required in the
        // provider's schema). Only VM passthrough uses the mapping: a GPU without an id that only a
        // container uses (device nodes of the host driver) gets none, and a VM given such a GPU is
        // refused by the check PVE-GPU-004 before synthesis.
        if (!gpu.deviceId) return;
        const mapping = new pve.hardwareMappingPci.HardwareMappingPci(this, gpu.name, {
          name: gpu.name,
          comment: `${gpu.model} on ${node.name}, managed by pvestack`,
          map: [mapEntry(node.name, gpu)],
        });
        // A mapping made by hand is imported by its name (the provider's import id for hardware_mapping_pci).
        if (gpu.adopt) importExisting(mapping, gpu.name);
        this.mappings.set(gpu.name, mapping);
      }),
    );
  }

  /**
   * Records that `guest` takes its GPUs and returns them. Throws a `SpecError` at
   * `guests[i].gpus[j]` when another guest already has one of them.
   */
  claim(guest: Guest): GpuSpec[] {
    const node = this.env.cluster.nodes.find((n) => n.name === guest.node);
    return guest.gpus.map((name, j) => {
      const gpu = node?.gpus.find((g) => g.name === name);
      if (!gpu)
        throw new SpecError(
          `guests[${guest.index}].gpus[${j}]`,
          `names a GPU that node ${guest.node} does not declare`,
          'Give the guest a GPU of its own node, or move it to the node that has the card.',
          name,
        );
      const owner = this.owners.get(name);
      if (owner && owner.name !== guest.name)
        throw new SpecError(
          `guests[${guest.index}].gpus[${j}]`,
          `gives GPU ${name} to ${guest.name}, but ${owner.name} (guests[${owner.index}]) already has it`,
          'A GPU can be passed to one guest only: give each guest its own GPU, or remove it from one of them.',
          name,
        );
      this.owners.set(name, guest);
      return gpu;
    });
  }

  /** The mapping resources of some GPUs, for `dependsOn`. */
  mappingsOf(gpus: readonly GpuSpec[]): pve.hardwareMappingPci.HardwareMappingPci[] {
    return gpus.map((g) => this.mappings.get(g.name)).filter((m): m is pve.hardwareMappingPci.HardwareMappingPci => m !== undefined);
  }
}

/**
 * The mapping path: the device (`0000:01:00.0`), or with `allFunctions` the slot (`0000:01:00`).
 * qemu-server expands a slot into all its functions and passes them as one multifunction device,
 * binding the IOMMU group to vfio-pci at start (src/PVE/QemuServer/PCI.pm, `parse_hostpci` /
 * `prepare_pci_device`). The provider accepts both forms (`PathPCIValueRegEx` in
 * fwprovider/types/hardwaremapping/path.go).
 */
export function mappingPath(gpu: Gpu): string {
  return gpu.allFunctions ? gpu.pciAddress.replace(/\.[0-7]$/, '') : gpu.pciAddress;
}

/**
 * One `map` entry of a GPU's mapping. When a VM starts, pve-guest-common
 * `src/PVE/Mapping/PCI.pm` (`assert_valid`) reads the device (function 0 for a slot path) and dies
 * with "missing expected property 'iommugroup'" / "'subsystem-id'" when the device has a value the
 * entry lacks, and with "'…' does not match" when they differ; so both are emitted whenever the
 * spec knows them (check PVE-GPU-007 makes them required for GPUs mapped into VMs). The provider
 * sends them as optional attributes (`iommu_group`, `subsystem_id` in
 * fwprovider/cluster/hardwaremapping/resource_pci.go: "omitting this attribute will result in an
 * incomplete PCI hardware mapping").
 */
export function mapEntry(nodeName: string, gpu: Gpu): pve.hardwareMappingPci.HardwareMappingPciMap {
  return {
    nodeAttribute: nodeName,
    path: mappingPath(gpu),
    id: gpu.deviceId!,
    ...(gpu.subsystemId ? { subsystemId: gpu.subsystemId } : {}),
    ...(gpu.iommuGroup !== undefined ? { iommuGroup: gpu.iommuGroup } : {}),
  };
}

/** `hostpci` entries for a VM: by mapping name, PCIe, ROM BAR on, and no x-vga (compute, not display). */
export function mappingHostpci(mappings: readonly string[]): Hostpci[] {
  return mappings.map((mapping, i) => ({ device: `hostpci${i}`, mapping, pcie: true, rombar: true }));
}
