import { describe, expect, it } from 'vitest';
import type { GpuSpec, Guest, VllmStackSpec } from '../../../model';
import { testEnvironment } from '../fixtures';
import { modelCacheDir, openAiBaseUrl, vllmArgs, vllmStack } from '../../../templates/stacks/vllm';

const gpu = (i: number): GpuSpec => ({ name: `gpu-${i}`, pciAddress: `0000:0${i + 1}:00.0`, model: 'NVIDIA L40S', vramGib: 48 });
const base: VllmStackSpec = { kind: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct', gpuMemoryUtilization: 0.9, maxModelLen: 8192, apiKeySecret: 'vllm-key' };

function llmGuest(gpus: number, stack: VllmStackSpec = base, disks: Guest['disks'] = []): Guest {
  return {
    name: 'llm',
    kind: 'external',
    role: 'llm',
    cores: 8,
    memoryGib: 32,
    ipv4: '10.0.0.30',
    index: 0,
    disks,
    network: 'n',
    sshPort: 22,
    sshUser: 'ops',
    hostKeys: [],
    gpus: Array.from({ length: gpus }, (_, i) => `gpu-${i}`),
    stateful: true,
    tags: [],
    startupOrder: 30,
    storageBoxMounts: [],
    stacks: [stack],
    suppressions: [],
  };
}

/** Pairs `--flag value` into a map, so rows assert flags without depending on their order. */
function flags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i]!] = argv[i + 1]!;
  return out;
}

describe('vllmArgs', () => {
  it.each<{ name: string; stack: VllmStackSpec; gpus: number; expect: Record<string, string> }>([
    { name: 'TP = number of GPUs (1)', stack: base, gpus: 1, expect: { '--tensor-parallel-size': '1', '--gpu-memory-utilization': '0.9' } },
    { name: 'TP = number of GPUs (2)', stack: base, gpus: 2, expect: { '--tensor-parallel-size': '2' } },
    { name: 'TP = number of GPUs (4)', stack: base, gpus: 4, expect: { '--tensor-parallel-size': '4' } },
    { name: 'no known GPUs (external host) → TP 1', stack: base, gpus: 0, expect: { '--tensor-parallel-size': '1' } },
    { name: 'explicit TP wins over the GPU count', stack: { ...base, tensorParallelSize: 1 }, gpus: 2, expect: { '--tensor-parallel-size': '1' } },
    { name: 'explicit memory utilization, verbatim', stack: { ...base, gpuMemoryUtilization: 0.92 }, gpus: 1, expect: { '--gpu-memory-utilization': '0.92' } },
    {
      name: 'served name defaults to the model',
      stack: base,
      gpus: 1,
      expect: { '--served-model-name': 'Qwen/Qwen2.5-7B-Instruct', '--model': 'Qwen/Qwen2.5-7B-Instruct' },
    },
    { name: 'served name from the spec', stack: { ...base, servedModelName: 'chat' }, gpus: 1, expect: { '--served-model-name': 'chat' } },
    { name: 'dtype and kv cache default to auto', stack: base, gpus: 1, expect: { '--dtype': 'auto', '--kv-cache-dtype': 'auto' } },
    {
      name: 'quantized AWQ with fp8 KV cache',
      stack: { ...base, model: 'Qwen/Qwen2.5-72B-Instruct-AWQ', quantization: 'awq', kvCacheDtype: 'fp8', dtype: 'float16' },
      gpus: 1,
      expect: { '--kv-cache-dtype': 'fp8', '--dtype': 'float16' },
    },
    { name: 'FP8 on the fly keeps its flag', stack: { ...base, quantization: 'fp8' }, gpus: 1, expect: { '--quantization': 'fp8' } },
    {
      name: 'max model len and port',
      stack: { ...base, maxModelLen: 16384, port: 8001 },
      gpus: 1,
      expect: { '--max-model-len': '16384', '--port': '8001', '--host': '0.0.0.0' },
    },
  ])('$name', ({ stack, gpus, expect: expected }) => {
    const gs = Array.from({ length: gpus }, (_, i) => gpu(i));
    const argv = vllmArgs(stack, llmGuest(gpus, stack), gs);
    expect(flags(argv)).toMatchObject(expected);
  });

  it('gives the exact argv for a full spec, without `serve` and without the API key', () => {
    const stack: VllmStackSpec = { ...base, servedModelName: 'qwen', quantization: 'awq', tensorParallelSize: 2 };
    expect(vllmArgs(stack, llmGuest(2, stack), [gpu(0), gpu(1)])).toEqual([
      '--model',
      'Qwen/Qwen2.5-7B-Instruct',
      '--served-model-name',
      'qwen',
      '--tensor-parallel-size',
      '2',
      '--gpu-memory-utilization',
      '0.9',
      '--max-model-len',
      '8192',
      '--dtype',
      'auto',
      '--kv-cache-dtype',
      'auto',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
  });

  it('leaves --quantization out when the checkpoint decides', () => {
    expect(vllmArgs(base, llmGuest(1), [gpu(0)])).not.toContain('--quantization');
  });

  it.each(['awq', 'gptq'] as const)('lets vLLM pick the Marlin kernel for a %s checkpoint (no forcing flag)', (quantization) => {
    expect(vllmArgs({ ...base, quantization }, llmGuest(1), [gpu(0)])).not.toContain('--quantization');
  });
});

describe('vllm stack', () => {
  const env = testEnvironment([{ name: 'llm', role: 'llm', ipv4: '10.0.0.30', stacks: [base] }]);
  const render = (gpus: number, stack: VllmStackSpec = base, options = {}) =>
    vllmStack({ env, guest: llmGuest(gpus, stack), gpus: Array.from({ length: gpus }, (_, i) => gpu(i)), options }, stack);

  it('reserves GPUs by count for one GPU and by device id for several', () => {
    expect(render(1).services[0]!.gpus).toBe(1);
    expect(render(2).services[0]!.gpus).toEqual(['0', '1']);
  });

  it('passes the API key and HF token through the env file, with ipc host and a /health check', () => {
    const svc = render(1, { ...base, hfTokenSecret: 'hf' }).services[0]!;
    expect(svc.secretEnv).toEqual([
      { variable: 'VLLM_API_KEY', secret: 'vllm-key' },
      { variable: 'HF_TOKEN', secret: 'hf' },
    ]);
    expect(svc.command).not.toContain('--api-key');
    expect(svc.command?.[0]).toBe('--model');
    expect(svc.ipc).toBe('host');
    expect(svc.healthcheck?.test.join(' ')).toContain("urlopen('http://127.0.0.1:8000/health')");
    expect(svc.ports).toEqual(['10.0.0.30:8000:8000']);
    expect(svc.image).toBe('vllm/vllm-openai:v0.11.0');
  });

  it('puts the model cache on the models disk, or the spec dir', () => {
    expect(
      modelCacheDir(
        base,
        llmGuest(1, base, [
          { name: 'root', sizeGib: 32, datastore: 'x' },
          { name: 'models', sizeGib: 500, datastore: 'x', mountPoint: '/mnt/models' },
        ]),
      ),
    ).toBe('/mnt/models');
    expect(modelCacheDir({ ...base, modelCacheDir: '/mnt/storagebox/models' }, llmGuest(1))).toBe('/mnt/storagebox/models');
    expect(modelCacheDir(base, llmGuest(1))).toBe('/srv/models');
    expect(render(1).services[0]!.volumes).toEqual(['/srv/models:/root/.cache/huggingface']);
  });

  it('exposes the OpenAI base URL for the web tier', () => {
    expect(openAiBaseUrl(base, llmGuest(1))).toBe('http://10.0.0.30:8000/v1');
    expect(render(1).endpoints).toEqual([{ name: 'openai-base-url', url: 'http://10.0.0.30:8000/v1' }]);
  });

  it('without GPUs swaps in the CPU stub image, or leaves vLLM out', () => {
    const stub = render(1, base, { gpu: false, cpuStubImage: 'local/llm-stub:1' }).services[0]!;
    expect(stub.image).toBe('local/llm-stub:1');
    expect(stub.gpus).toBeUndefined();
    expect(stub.ipc).toBeUndefined();
    expect(render(1, base, { gpu: false }).services).toEqual([]);
  });
});
