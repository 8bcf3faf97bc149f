/** Production: the education platform on the full 5-node cluster, deployed from tagged releases. */
import { defineEnvironment } from '../model';
import { educationPlatform } from './education/platform';

export default defineEnvironment(
  educationPlatform({
    name: 'production',
    description: 'Education platform, 5 Proxmox nodes, one 48 GB and one 20 GB GPU.',
    // The plan's bf16 72B model needs ~135 GiB of weights; the 4-bit AWQ checkpoint (~39 GiB)
    // fits the one 48 GB card with an 8K context and an FP8 KV cache.
    vllm: {
      kind: 'vllm',
      model: 'Qwen/Qwen2.5-72B-Instruct-AWQ',
      servedModelName: 'qwen2.5-72b-instruct',
      quantization: 'awq',
      dtype: 'float16',
      tensorParallelSize: 1,
      gpuMemoryUtilization: 0.92,
      maxModelLen: 8192,
      kvCacheDtype: 'fp8',
      apiKeySecret: 'vllm-api-key',
      hfTokenSecret: 'hf-token',
      modelCacheDir: '/srv/models',
    },
  }),
);
