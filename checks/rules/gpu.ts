/**
 * GPU assignment: one guest per GPU, on the node that has it, with what the passthrough path
 * needs (a host driver version for LXC device passthrough, a PCI id for a VM's mapping, and
 * q35/OVMF in the synthesized VM).
 */
import type { ClusterNode, Environment, Gpu, Guest } from '../../model';
import type { Issue, Rule } from '../types';

interface Assignment {
  readonly guest: Guest;
  readonly slot: number;
  readonly gpu: Gpu;
  readonly owner: ClusterNode;
}

/** Every (guest, GPU) pair with the node that physically holds the GPU. */
function assignments(env: Environment): Assignment[] {
  const out: Assignment[] = [];
  for (const guest of env.guests)
    guest.gpus.forEach((name, slot) => {
      for (const owner of env.cluster.nodes) {
        const gpu = owner.gpus.find((g) => g.name === name);
        if (gpu) out.push({ guest, slot, gpu, owner });
      }
    });
  return out;
}

const describeGpu = (a: Assignment) => `${a.gpu.name} (${a.gpu.model} ${a.gpu.vramGib} GiB on ${a.owner.name})`;

export const gpuSharedByGuests: Rule = {
  id: 'PVE-GPU-001',
  family: 'gpu',
  severity: 'error',
  title: 'Each GPU is given to at most one guest',
  check: ({ env }) => {
    const first = new Map<string, Assignment>();
    const issues: Issue[] = [];
    for (const a of assignments(env)) {
      const prior = first.get(a.gpu.name);
      if (!prior) {
        first.set(a.gpu.name, a);
        continue;
      }
      const spare = a.owner.gpus.filter((g) => !assignments(env).some((x) => x.gpu.name === g.name));
      issues.push({
        path: `guests[${a.guest.index}].gpus[${a.slot}]`,
        guest: a.guest.name,
        message: `GPU ${describeGpu(a)} is given to both ${prior.guest.name} and ${a.guest.name}; a passed-through GPU belongs to one guest at a time`,
        hint: spare.length
          ? `Give ${a.guest.name} the unused GPU ${spare.map((g) => g.name).join(' or ')} instead.`
          : `Node ${a.owner.name} has no unused GPU: move ${a.guest.name} to a node with a free GPU or run both services in one guest.`,
      });
    }
    return issues;
  },
};

export const gpuOnGuestNode: Rule = {
  id: 'PVE-GPU-002',
  family: 'gpu',
  severity: 'error',
  title: "A guest's GPUs are on the guest's node",
  check: ({ env }) =>
    assignments(env)
      .filter((a) => a.guest.node !== a.owner.name)
      .map((a) => ({
        path: `guests[${a.guest.index}].gpus[${a.slot}]`,
        guest: a.guest.name,
        message: `${a.guest.name} runs on ${a.guest.node} but GPU ${a.gpu.name} is in node ${a.owner.name}`,
        hint: `Move ${a.guest.name} to node ${a.owner.name}, or give it a GPU of ${a.guest.node}${
          env.cluster.nodes.find((x) => x.name === a.guest.node)?.gpus.length
            ? ` (${env.cluster.nodes
                .find((x) => x.name === a.guest.node)!
                .gpus.map((g) => g.name)
                .join(', ')})`
            : ' (it has none)'
        }.`,
      })),
};

export const lxcGpuDriver: Rule = {
  id: 'PVE-GPU-003',
  family: 'gpu',
  severity: 'error',
  title: 'An LXC with a GPU runs on a node whose NVIDIA driver version is recorded',
  check: ({ env }) =>
    env.guests
      .filter((g) => g.kind === 'lxc' && g.gpus.length > 0)
      .flatMap((g): Issue[] => {
        const node = env.cluster.nodes.find((x) => x.name === g.node);
        if (!node || node.nvidiaDriverVersion) return [];
        return [
          {
            path: `guests[${g.index}].gpus`,
            guest: g.name,
            message: `LXC ${g.name} uses GPU ${g.gpus.join(', ')} through device passthrough, but node ${node.name} has no nvidiaDriverVersion`,
            hint: `Record the host driver (\`nvidia-smi --query-gpu=driver_version --format=csv,noheader\` on ${node.name}) as cluster.nodes[${env.cluster.nodes.indexOf(node)}].nvidiaDriverVersion: the container's user-space driver must match it exactly ("NVRM: API mismatch" otherwise).`,
          },
        ];
      }),
};

export const vmGpuDeviceId: Rule = {
  id: 'PVE-GPU-004',
  family: 'gpu',
  severity: 'error',
  title: 'A GPU passed through to a VM has its PCI vendor:device id recorded',
  check: ({ env }) =>
    assignments(env)
      .filter((a) => a.guest.kind === 'vm' && !a.gpu.deviceId)
      .map((a) => ({
        path: `cluster.nodes[${env.cluster.nodes.indexOf(a.owner)}].gpus[${a.owner.gpus.indexOf(a.gpu)}].deviceId`,
        guest: a.guest.name,
        message: `GPU ${a.gpu.name} (${a.gpu.pciAddress} on ${a.owner.name}) is passed through to VM ${a.guest.name} but has no deviceId`,
        hint: `Add deviceId from \`lspci -nn -s ${a.gpu.pciAddress}\` (e.g. 10de:26b1): the PCI resource mapping and the vfio-pci binding need it.`,
      })),
};

export const vmGpuMachine: Rule = {
  id: 'PVE-GPU-005',
  family: 'gpu',
  severity: 'error',
  title: 'A synthesized GPU VM uses machine q35 and OVMF with an EFI disk',
  check: ({ env, synthesized }) => {
    const vms = synthesized?.terraform?.resource?.['proxmox_virtual_environment_vm'];
    if (!vms) return [];
    return env.guests
      .filter((g) => g.kind === 'vm' && g.gpus.length > 0)
      .flatMap((g): Issue[] => {
        const vm = Object.values(vms).find((r) => r['name'] === g.name);
        if (!vm) return [];
        const missing = [
          vm['machine'] === 'q35' ? undefined : `machine ${JSON.stringify(vm['machine'] ?? 'pc (default)')}, not q35`,
          vm['bios'] === 'ovmf' ? undefined : `bios ${JSON.stringify(vm['bios'] ?? 'seabios (default)')}, not ovmf`,
          vm['bios'] !== 'ovmf' || vm['efi_disk'] ? undefined : 'no efi_disk',
          vm['hostpci'] ? undefined : 'no hostpci device',
        ].filter((x): x is string => x !== undefined);
        if (missing.length === 0) return [];
        return [
          {
            path: `guests[${g.index}]`,
            guest: g.name,
            message: `synthesized VM ${g.name} has GPU ${g.gpus.join(', ')} but ${missing.join(', ')}`,
            hint: 'PCIe passthrough needs q35 and OVMF with an EFI disk; synthesize with the GPU passthrough construct rather than overriding these attributes.',
          },
        ];
      });
  },
};

export const lxcGpuReminder: Rule = {
  id: 'PVE-GPU-006',
  family: 'gpu',
  severity: 'info',
  title: "An LXC GPU guest's user-space driver must match the host driver",
  check: ({ env }) =>
    env.guests
      .filter((g) => g.kind === 'lxc' && g.gpus.length > 0)
      .flatMap((g): Issue[] => {
        const node = env.cluster.nodes.find((x) => x.name === g.node);
        if (!node?.nvidiaDriverVersion) return [];
        return [
          {
            path: `guests[${g.index}].gpus`,
            guest: g.name,
            message: `LXC ${g.name} shares node ${node.name}'s NVIDIA driver ${node.nvidiaDriverVersion}; its user-space driver must be exactly that version`,
            hint: `Install the ${node.nvidiaDriverVersion} .run with --no-kernel-module in the container, and re-check after every host driver upgrade.`,
          },
        ];
      }),
};

/** The host commands that print a GPU's IOMMU group and subsystem id, for the hint. */
export function gpuFactCommands(node: string, pciAddress: string): string {
  return [
    `\`lspci -nns ${pciAddress} -v\` ("Subsystem: … [vendor:device]" is subsystemId)`,
    `\`readlink /sys/bus/pci/devices/${pciAddress}/iommu_group\` (the last number is iommuGroup; \`ls\` its devices/ to see what shares the group)`,
    `or \`pvesh get /nodes/${node}/hardware/pci --pci-class-blacklist ''\` (columns iommugroup, subsystem_vendor, subsystem_device)`,
  ].join(', ');
}

export const vmGpuMappingFacts: Rule = {
  id: 'PVE-GPU-007',
  family: 'gpu',
  severity: 'error',
  title: 'A GPU passed through to a VM has its IOMMU group and subsystem id recorded for the PCI mapping',
  // pve-guest-common src/PVE/Mapping/PCI.pm (assert_valid) runs when the VM starts, and the provider
  // starts the VM during create: a mapping without these values fails the apply with
  // "missing expected property 'iommugroup'" (then 'subsystem-id') and leaves a tainted VM.
  check: ({ env }) =>
    assignments(env)
      .filter((a) => a.guest.kind === 'vm' && (a.gpu.iommuGroup === undefined || a.gpu.subsystemId === undefined))
      .map((a) => {
        const missing = [a.gpu.iommuGroup === undefined ? 'iommuGroup' : undefined, a.gpu.subsystemId === undefined ? 'subsystemId' : undefined].filter(
          (x): x is string => x !== undefined,
        );
        return {
          path: `cluster.nodes[${env.cluster.nodes.indexOf(a.owner)}].gpus[${a.owner.gpus.indexOf(a.gpu)}]`,
          guest: a.guest.name,
          node: a.owner.name,
          message: `GPU ${a.gpu.name} (${a.gpu.pciAddress} on ${a.owner.name}) is mapped into VM ${a.guest.name} but has no ${missing.join(' and no ')}: Proxmox refuses to start the VM with "missing expected property '${missing[0] === 'iommuGroup' ? 'iommugroup' : 'subsystem-id'}'"`,
          hint: `Read them on ${a.owner.name} and add ${missing.join(' and ')} to the GPU: ${gpuFactCommands(a.owner.name, a.gpu.pciAddress)}. If the card's audio function (${a.gpu.pciAddress.replace(/\.\d$/, '.1')}) is in the same group, also set allFunctions: true.`,
        };
      }),
};

export const GPU_RULES: readonly Rule[] = [gpuSharedByGuests, gpuOnGuestNode, lxcGpuDriver, vmGpuDeviceId, vmGpuMachine, lxcGpuReminder, vmGpuMappingFacts];
