/** GPUs of external hosts: facts on the guest (`hostGpus`), never managed, but checked and rendered. */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../checks';
import { gpusOf, InvalidSpecError, validateEnvironment } from '../../model';
import { smallSpec } from '../fixtures/specs';

const RTX_6000_ADA = { name: 'box-gpu-0', pciAddress: '0000:01:00.0', model: 'NVIDIA RTX 6000 Ada', vramGib: 48 };

function withLaptopGpu(stack: Record<string, unknown>) {
  const spec = smallSpec();
  const laptop = spec.guests.find((g: { name: string }) => g.name === 'laptop');
  laptop.hostGpus = [RTX_6000_ADA];
  laptop.stacks = [stack];
  return validateEnvironment(spec, 'small.yaml');
}

describe('hostGpus', () => {
  it('GIVEN an external host with a 48 GiB card THEN gpusOf returns it', () => {
    const env = withLaptopGpu({ kind: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct', gpuMemoryUtilization: 0.9, maxModelLen: 8192, apiKeySecret: 'vllm-api-key' });
    expect(
      gpusOf(
        env,
        env.guests.find((g) => g.name === 'laptop')!,
      ),
    ).toEqual([RTX_6000_ADA]);
  });

  it('WHEN the model does not fit the external card THEN the model-fit check reports it with numbers', () => {
    const env = withLaptopGpu({
      kind: 'vllm',
      model: 'Qwen/Qwen2.5-72B-Instruct',
      dtype: 'bfloat16',
      gpuMemoryUtilization: 0.9,
      maxModelLen: 8192,
      apiKeySecret: 'vllm-api-key',
    });
    const finding = runChecks(env).findings.find((f) => f.rule === 'PVE-LLM-001' && f.guest === 'laptop');
    expect(finding?.message).toMatch(/weights 135\.4 GiB .* 1 × 48 GiB \(NVIDIA RTX 6000 Ada\)/);
  });

  it('is refused on a Proxmox guest, with the fix', () => {
    const spec = smallSpec();
    spec.guests[0].hostGpus = [RTX_6000_ADA];
    try {
      validateEnvironment(spec, 'small.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidSpecError);
      expect((err as InvalidSpecError).errors.map((e) => e.message)).toEqual([
        'guests[0].hostGpus: is set on a vm. Declare the GPU on its node (cluster.nodes[].gpus) and give it to the guest with gpus: [<name>]; hostGpus describes external hosts only.',
      ]);
    }
  });
});
