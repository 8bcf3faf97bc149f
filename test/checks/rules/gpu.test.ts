import { describe, expect, it } from 'vitest';
import { GPU_RULES } from '../../../checks/rules';
import type { SynthesizedOutput } from '../../../checks';
import { type Draft, env, findings } from '../fixtures';

const synthesizedVm = (attrs: Record<string, unknown>): SynthesizedOutput => ({
  dir: 'out',
  terraform: { resource: { proxmox_virtual_environment_vm: { llm_1: { name: 'llm', vm_id: 104, ...attrs } } } },
  files: [],
});

describe('GPU rules', () => {
  it('the base fixture has no GPU findings', () => {
    const e = env();
    for (const rule of GPU_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, string, (s: Draft) => void, string, string[]]>([
    [
      'one GPU given to two guests',
      'PVE-GPU-001',
      (s) => (s.guests[2].gpus = ['gpu0']),
      'guests[3].gpus[0]',
      ['GPU gpu0 (NVIDIA RTX 6000 Ada 48 GiB on pve1) is given to both db and llm'],
    ],
    ['a GPU of another node', 'PVE-GPU-002', (s) => (s.guests[1].gpus = ['gpu1']), 'guests[1].gpus[0]', ['web runs on pve2 but GPU gpu1 is in node pve1']],
    [
      'LXC GPU without a recorded host driver',
      'PVE-GPU-003',
      (s) => (s.guests[3].kind = 'lxc'),
      'guests[3].gpus',
      ['LXC llm uses GPU gpu0 through device passthrough, but node pve1 has no nvidiaDriverVersion'],
    ],
    [
      'VM GPU without a PCI id',
      'PVE-GPU-004',
      (s) => delete s.cluster.nodes[0].gpus[0].deviceId,
      'cluster.nodes[0].gpus[0].deviceId',
      ['GPU gpu0 (0000:01:00.0 on pve1) is passed through to VM llm but has no deviceId'],
    ],
    [
      'VM GPU without its IOMMU group',
      'PVE-GPU-007',
      (s) => delete s.cluster.nodes[0].gpus[0].iommuGroup,
      'cluster.nodes[0].gpus[0]',
      [
        'GPU gpu0 (0000:01:00.0 on pve1) is mapped into VM llm but has no iommuGroup: Proxmox refuses to start the VM with "missing expected property \'iommugroup\'"',
      ],
    ],
    [
      'VM GPU without IOMMU group and subsystem id',
      'PVE-GPU-007',
      (s) => Object.assign(s.cluster.nodes[0].gpus[0], { iommuGroup: undefined, subsystemId: undefined }),
      'cluster.nodes[0].gpus[0]',
      ['has no iommuGroup and no subsystemId'],
    ],
  ])('%s → %s', (_name, rule, edit, path, fragments) => {
    const found = findings(env(edit), rule);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(path);
    for (const text of fragments) expect(found[0]!.message).toContain(text);
  });

  it('PVE-GPU-007 shows the host commands that read the values', () => {
    const [f] = findings(
      env((s) => delete s.cluster.nodes[0].gpus[0].subsystemId),
      'PVE-GPU-007',
    );
    expect(f!.message).toContain("missing expected property 'subsystem-id'");
    expect(f!.hint).toContain('`lspci -nns 0000:01:00.0 -v`');
    expect(f!.hint).toContain('`readlink /sys/bus/pci/devices/0000:01:00.0/iommu_group`');
    expect(f!.hint).toContain("`pvesh get /nodes/pve1/hardware/pci --pci-class-blacklist ''`");
    expect(f!.hint).toContain('allFunctions: true');
  });

  it('PVE-GPU-007 leaves GPUs of containers alone: they use the host driver, not the mapping', () => {
    const e = env((s) => {
      s.guests[3].kind = 'lxc';
      s.cluster.nodes[0].nvidiaDriverVersion = '550.127.05';
      delete s.cluster.nodes[0].gpus[0].iommuGroup;
    });
    expect(findings(e, 'PVE-GPU-007')).toEqual([]);
  });

  it('suggests the unused GPU of the node when two guests share one', () => {
    const [f] = findings(
      env((s) => (s.guests[2].gpus = ['gpu0'])),
      'PVE-GPU-001',
    );
    expect(f!.hint).toContain('gpu1');
  });

  it('an LXC GPU guest on a node with a driver version gets only the driver reminder', () => {
    const e = env((s) => {
      s.guests[3].kind = 'lxc';
      s.cluster.nodes[0].nvidiaDriverVersion = '550.127.05';
    });
    expect(findings(e, 'PVE-GPU-003')).toEqual([]);
    const [info] = findings(e, 'PVE-GPU-006');
    expect(info!.severity).toBe('info');
    expect(info!.message).toContain('550.127.05');
  });

  it.each([
    [{ machine: 'q35', bios: 'ovmf', efi_disk: { datastore_id: 'local-lvm' }, hostpci: [{ device: 'hostpci0', mapping: 'gpu0' }] }, []],
    [{ bios: 'ovmf', efi_disk: {}, hostpci: [{}] }, ['machine "pc (default)", not q35']],
    [{ machine: 'q35', hostpci: [{}] }, ['bios "seabios (default)", not ovmf']],
    [{ machine: 'q35', bios: 'ovmf', hostpci: [{}] }, ['no efi_disk']],
  ])('synthesized GPU VM %j → %j (PVE-GPU-005)', (attrs, problems) => {
    const found = findings(env(), 'PVE-GPU-005', { synthesized: synthesizedVm(attrs) });
    expect(found.map((f) => f.path)).toEqual(problems.length ? ['guests[3]'] : []);
    for (const text of problems) expect(found[0]!.message).toContain(text);
  });
});
