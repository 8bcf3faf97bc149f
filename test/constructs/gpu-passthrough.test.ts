import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { GpuPassthrough } from '../../constructs';
import { SpecError } from '../../model';
import { PlatformStack } from '../../stacks/platform-stack';
import { fixtureEnv, resourcesOf, synthEnv } from './fixture';

describe('GpuPassthrough', () => {
  it('declares one cluster PCI mapping per GPU of a node, used or not', () => {
    const tf = synthEnv(fixtureEnv((s) => {
      s.guests = s.guests.filter((g) => g.name === 'web');
      s.connections = [];
    }));
    const mappings = resourcesOf(tf, 'proxmox_hardware_mapping_pci');
    expect(mappings).toHaveLength(2);
    expect(mappings).toContainEqual(
      expect.objectContaining({ name: 'gpu-a', map: [{ node: 'pve1', path: '0000:01:00.0', id: '10de:26b9', subsystem_id: '10de:1851', iommu_group: 14 }] }),
    );
    // Optional facts are left out when the spec does not give them.
    expect(mappings).toContainEqual(expect.objectContaining({ name: 'gpu-b', map: [{ node: 'pve1', path: '0000:41:00.0', id: '10de:27b8' }] }));
  });

  it('rejects a GPU given to two guests, naming both', () => {
    // GIVEN the container also asks for gpu-a, which the llm VM (guests[2]) already has
    const env = fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, gpus: ['gpu-a'] }));
    // WHEN the stack is built THEN construction fails with a SpecError at the second claim
    let error: unknown;
    try {
      new PlatformStack(Testing.app(), { env });
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
    const stack = new PlatformStack(Testing.app(), { env });
    const ledger = GpuPassthrough.of(stack, env);
    expect(ledger.claim(env.guests[2]!).map((g) => g.name)).toEqual(['gpu-a']);
  });

  it('requires the device id a mapping needs', () => {
    const env = fixtureEnv((s) => {
      const node = s.cluster.nodes[0]!;
      (s.cluster as { nodes: unknown[] }).nodes = [{ ...node, gpus: [{ ...node.gpus![0]!, deviceId: undefined }, node.gpus![1]!] }];
    });
    expect(() => new PlatformStack(Testing.app(), { env })).toThrow(/cluster\.nodes\[0\]\.gpus\[0\]\.deviceId: is required to map GPU gpu-a/);
  });

  it('synthesizes the mappings as snapshotted', () => {
    expect(synthEnv(fixtureEnv()).resource.proxmox_hardware_mapping_pci).toMatchSnapshot();
  });
});
