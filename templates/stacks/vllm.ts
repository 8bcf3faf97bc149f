/**
 * vLLM's OpenAI-compatible server. The image's entrypoint is `vllm serve` (older images:
 * `python3 -m vllm.entrypoints.openai.api_server`); everything here is appended to it, so `serve`
 * is never repeated and the model goes in as `--model`, which both entrypoints accept.
 * The API key and the Hugging Face token reach the container through its env file
 * (`VLLM_API_KEY`, `HF_TOKEN`), never through argv, where `ps` and `docker inspect` would show them.
 */
import type { GpuSpec, Guest, VllmStackSpec } from '../../model';
import { DEFAULT_PORTS } from '../../model';
import type { ServiceDefinition } from '../compose/service';
import { guardDataVolume } from './data-disk-guard';
import { publish, StackContext, StackParts } from './types';

export const VLLM_DEFAULT_IMAGE = 'vllm/vllm-openai:v0.11.0';
export const VLLM_DEFAULT_CACHE_DIR = '/srv/models';
/** Where the image looks for the Hugging Face cache (it runs as root). */
const HF_CACHE = '/root/.cache/huggingface';

/** Tensor-parallel size: the spec's, else one shard per GPU given to the guest (at least 1). */
export function tensorParallelSize(stack: VllmStackSpec, gpus: readonly GpuSpec[]): number {
  return stack.tensorParallelSize ?? Math.max(1, gpus.length);
}

/** The argv appended to the image's entrypoint. */
export function vllmArgs(stack: VllmStackSpec, _guest: Guest, gpus: readonly GpuSpec[]): string[] {
  const args = [
    '--model',
    stack.model,
    '--served-model-name',
    stack.servedModelName ?? stack.model,
    '--tensor-parallel-size',
    String(tensorParallelSize(stack, gpus)),
    // Explicit on purpose: vLLM's default moved from 0.9 to 0.92 between releases.
    '--gpu-memory-utilization',
    String(stack.gpuMemoryUtilization),
    '--max-model-len',
    String(stack.maxModelLen),
    '--dtype',
    stack.dtype ?? 'auto',
  ];
  // AWQ and GPTQ checkpoints carry their `quantization_config`; with no flag vLLM picks the fast
  // Marlin kernel where the GPU supports it and falls back to the plain one elsewhere. An explicit
  // `--quantization awq` (or `gptq`) forces the slow kernel: see `override_quantization_method` in
  // vllm/model_executor/layers/quantization/awq_marlin.py and gptq_marlin.py (v0.11.0), which only
  // switch to Marlin when the user's method is unset or already `*_marlin`. FP8 is different: it
  // quantizes an unquantized checkpoint while loading, which only the flag asks for.
  if (stack.quantization === 'fp8') args.push('--quantization', 'fp8');
  args.push('--kv-cache-dtype', stack.kvCacheDtype ?? 'auto');
  args.push('--host', '0.0.0.0', '--port', String(stack.port ?? DEFAULT_PORTS.vllm));
  return args;
}

/** Host directory holding the model cache: the spec's, else a data disk named `models`, else /srv/models. */
export function modelCacheDir(stack: VllmStackSpec, guest: Guest): string {
  if (stack.modelCacheDir) return stack.modelCacheDir;
  return guest.disks.find((d) => d.name === 'models' && d.mountPoint)?.mountPoint ?? VLLM_DEFAULT_CACHE_DIR;
}

/** The OpenAI-compatible base URL the web tier uses (`OPENAI_BASE_URL`). */
export function openAiBaseUrl(stack: VllmStackSpec, guest: Guest): string {
  return `http://${guest.ipv4}:${stack.port ?? DEFAULT_PORTS.vllm}/v1`;
}

/** GPU reservation: explicit device ids when the guest has several GPUs, else a count. */
function gpuRequest(stack: VllmStackSpec, gpus: readonly GpuSpec[]): ServiceDefinition['gpus'] {
  if (gpus.length > 1) return gpus.map((_, i) => String(i));
  return tensorParallelSize(stack, gpus);
}

export function vllmStack(ctx: StackContext, stack: VllmStackSpec): StackParts {
  const port = stack.port ?? DEFAULT_PORTS.vllm;
  const secretEnv = [{ variable: 'VLLM_API_KEY', secret: stack.apiKeySecret }];
  if (stack.hfTokenSecret) secretEnv.push({ variable: 'HF_TOKEN', secret: stack.hfTokenSecret });
  const endpoints = [{ name: 'openai-base-url', url: openAiBaseUrl(stack, ctx.guest) }];
  if (ctx.options.gpu === false) {
    if (!ctx.options.cpuStubImage) return { services: [], files: [], notes: ['vLLM left out: rendered without GPUs and no CPU stub image.'] };
    return {
      services: [
        {
          name: 'vllm',
          image: ctx.options.cpuStubImage,
          ports: [publish(ctx.guest, port)],
          env: { PORT: String(port), SERVED_MODEL_NAME: stack.servedModelName ?? stack.model },
          secretEnv,
        },
      ],
      files: [],
      endpoints,
      notes: [`CPU stub ${ctx.options.cpuStubImage} in place of vLLM (no GPU); the image must serve the OpenAI API on port ${port}.`],
    };
  }
  const cacheDir = modelCacheDir(stack, ctx.guest);
  // The image's entrypoint is `vllm serve` (vllm-project/vllm v0.11.0, docker/Dockerfile, stage
  // `vllm-openai`: ENTRYPOINT ["vllm", "serve"]); the guard hands the command to it unchanged. An
  // image older than the `vllm` CLI (before v0.5) given as `image` would need its own entrypoint.
  const guard = guardDataVolume(ctx.guest, cacheDir, HF_CACHE, 'vllm serve');
  return {
    services: [
      {
        name: 'vllm',
        image: stack.image ?? VLLM_DEFAULT_IMAGE,
        // Without the model disk, Docker would bind the empty mount point on the root disk and vLLM
        // would download the weights there until the root disk is full: refuse to start instead.
        ...(guard ? { entrypoint: guard.entrypoint } : {}),
        command: vllmArgs(stack, ctx.guest, ctx.gpus),
        ipc: 'host',
        ports: [publish(ctx.guest, port)],
        secretEnv,
        volumes: [`${cacheDir}:${HF_CACHE}`, ...(guard?.volumes ?? [])],
        gpus: gpuRequest(stack, ctx.gpus),
        healthcheck: {
          // curl is not in the image; python is.
          test: ['CMD', 'python3', '-c', `import urllib.request;urllib.request.urlopen('http://127.0.0.1:${port}/health')`],
          intervalSeconds: 30,
          timeoutSeconds: 10,
          retries: 5,
          // Downloading and loading weights takes minutes on first start.
          startPeriodSeconds: 900,
        },
        stateful: true,
        stopGracePeriodSeconds: 60,
      },
    ],
    files: [],
    endpoints,
  };
}
