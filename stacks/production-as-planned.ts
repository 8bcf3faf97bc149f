/**
 * The education platform exactly as the team planned it: Qwen2.5-72B in bfloat16 with tensor
 * parallel size 2 on the one 48 GB GPU. Kept so that `pvestack check` is proven to catch both
 * mistakes (the weights do not fit; TP 2 needs two GPUs). Never deploy it.
 */
import { defineEnvironment } from '../model';
import { educationPlatform } from './education/platform';

export default defineEnvironment(
  educationPlatform({
    name: 'production-as-planned',
    description: 'BROKEN on purpose: the plan as written, to prove the model-fit and TP checks.',
    vllm: {
      kind: 'vllm',
      model: 'Qwen/Qwen2.5-72B-Instruct',
      dtype: 'bfloat16',
      tensorParallelSize: 2,
      gpuMemoryUtilization: 0.9,
      maxModelLen: 32768,
      apiKeySecret: 'vllm-api-key',
      hfTokenSecret: 'hf-token',
      modelCacheDir: '/srv/models',
    },
  }),
);
