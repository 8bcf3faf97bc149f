import { testingApp } from '../support/testing-app';
import { describe, expect, it } from 'vitest';
import { GpuPassthrough } from '../../constructs';
import { SpecError } from '../../model';
import { PlatformStack } from '../../stacks/platform-stack';
import { CheckFailedError, runChecks } from '../../checks';
import { vmGpuDeviceId } from '../../checks/rules/gpu';
import { prepared } from '../support/pipeline';
import { fixtureEnv, resourcesOf, synthEnv } from './fixture';

describe('GpuPassthrough', () => {
  it('declares one cluster PCI mapping per GPU of a node, used or not', () => {
    const tf = synthEnv(
      fixtureEnv((s) => {
        s.guests = s.guests.filter((g) => g.name === 'web');
        s.connections = [];
      }),
    );
    const mappings = resourcesOf(tf, 'proxmox_hardware_mapping_pci');
    expect(mappings).toHaveLength(2);
    expect(mappings).toContainEqual(
      expect.objectContaining({ name: 'gpu-a', map: [{ node: 'pve1', path: '0000:01:00.0', id: '10de:26b9', subsystem_id: '10de:1851', iommu_group: 14 }] }),
    );
    // Optional facts are left out when the spec does not give them.
    expect(mappings).toContainEqual(expect.objectContaining({ name: 'gpu-b', map: [{ node: 'pve1', path: '0000:41:00.0', id: '10de:27b8' }] }));
  });

  it('maps the whole card (the slot, without a function number) when allFunctions is set', () => {
    const tf = synthEnv(
      fixtureEnv((s) => {
        s.cluster = {
          ...s.cluster,
          nodes: s.cluster.nodes.map((n, i) => (i === 0 ? { ...n, gpus: n.gpus!.map((g, j) => (j === 0 ? { ...g, allFunctions: true } : g)) } : n)),
        };
      }),
    );
    const mapping = resourcesOf(tf, 'proxmox_hardware_mapping_pci').find((m) => m.name === 'gpu-a')!;
    // pve-guest-common PCI.pm assert_valid reads function .0 for a slot path: id, subsystem id and group stay the GPU's.
    expect(mapping.map).toEqual([{ node: 'pve1', path: '0000:01:00', id: '10de:26b9', subsystem_id: '10de:1851', iommu_group: 14 }]);
  });

  it('rejects a GPU given to two guests, naming both', () => {
    // GIVEN the container also asks for gpu-a, which the llm VM (guests[2]) already has
    const env = fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, gpus: ['gpu-a'] }));
    // WHEN the stack is built THEN construction fails with a SpecError at the second claim
    let error: unknown;
    try {
      new PlatformStack(testingApp(), { env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const spec = error as SpecError;
    expect(spec.path).toBe('guests[3].gpus[0]');
    expect(spec.message).toContain('gives GPU gpu-a to infer, but llm (guests[2]) already has it');
    expect(spec.hint).toMatch(/one guest only/);
  });

  it('lets the same guest claim its GPUs again (idempotent)', () => {
    const env = fixtureEnv();
    const stack = new PlatformStack(testingApp(), { env });
    const ledger = GpuPassthrough.of(stack, env);
    expect(ledger.claim(env.guests[2]!).map((g) => g.name)).toEqual(['gpu-a']);
  });

  const withoutDeviceId = (gpu: number) =>
    fixtureEnv((s) => {
      const node = s.cluster.nodes[0]!;
      (s.cluster as { nodes: unknown[] }).nodes = [{ ...node, gpus: node.gpus!.map((g, i) => (i === gpu ? { ...g, deviceId: undefined } : g)) }];
    });

  it('a GPU only a container uses needs no device id: checks pass, synth maps the others and gives the container its device nodes', () => {
    // GIVEN gpu-b, used only by the LXC `infer`, without a deviceId (it used to pass every check and then crash synth)
    const env = withoutDeviceId(1);
    // WHEN the pipeline checks and synthesizes it
    const gpuErrors = runChecks(env).findings.filter((f) => f.severity === 'error' && (f.rule.startsWith('PVE-GPU-') || f.path.includes('gpus')));
    const tf = synthEnv(env);
    // THEN no GPU error, one mapping (gpu-a), and the container still gets /dev/nvidia1
    expect(gpuErrors).toEqual([]);
    expect(resourcesOf(tf, 'proxmox_hardware_mapping_pci').map((m) => m.name)).toEqual(['gpu-a']);
    const infer = resourcesOf(tf, 'proxmox_virtual_environment_container')[0]!;
    expect((infer.device_passthrough as { path: string }[]).map((d) => d.path)).toContain('/dev/nvidia1');
  });

  it('a GPU passed through to a VM without a device id is refused by the checks (PVE-GPU-004), before synthesis', () => {
    const env = withoutDeviceId(0);
    expect(runChecks(env).findings).toContainEqual(
      expect.objectContaining({ rule: vmGpuDeviceId.id, severity: 'error', path: 'cluster.nodes[0].gpus[0].deviceId' }),
    );
    expect(() => prepared([env])).toThrow(CheckFailedError);
  });

  it('synthesizes the mappings as snapshotted', () => {
    expect(synthEnv(fixtureEnv()).resource.proxmox_hardware_mapping_pci).toMatchSnapshot();
  });
});
