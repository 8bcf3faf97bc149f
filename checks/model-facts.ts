/**
 * Architecture facts of the models named in the example architectures, from each model's
 * `config.json` on Hugging Face (layers = num_hidden_layers, heads = num_attention_heads, KV heads =
 * num_key_value_heads, head dim = hidden_size / heads unless the config sets head_dim). A spec can
 * supply `modelFacts` for anything else; those override this table.
 */
import type { ModelFacts, VllmStackSpec } from '../model';

/** Model facts plus what the weight estimate needs beyond the spec's `ModelFacts`. */
export interface KnownModelFacts extends ModelFacts {
  /** Parameters of the input embeddings and `lm_head` (once when tied), in billions: they stay 16-bit in quantized checkpoints. @default 0 */
  readonly embeddingParamsBillion?: number;
  /** Quantization baked into the checkpoint (vLLM detects it from `quantization_config`). */
  readonly quantization?: NonNullable<VllmStackSpec['quantization']>;
  /** Group size of a group-quantized checkpoint. @default 128 */
  readonly groupSize?: number;
  /** Exact bytes of the checkpoint's weights as stored (read from its safetensors index). */
  readonly weightBytes?: number;
  /** dtype the checkpoint is stored in (`torch_dtype` in config.json). */
  readonly checkpointDtype?: 'bfloat16' | 'float16' | 'float32';
}

const QWEN25_72B: KnownModelFacts = {
  paramsBillion: 72.706,
  layers: 80,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  intermediateSize: 29568,
  // vocab 152064 × hidden 8192, untied input and output embeddings.
  embeddingParamsBillion: 2.491,
};

// Qwen's official 4-bit checkpoints pad the MLP to 29696 (232 groups of 128) so that TP 2/4/8
// divide it; the padding adds 80 layers × 3 matrices × 8192 × 128 = 0.252 B parameters.
const QWEN25_72B_INT4: Omit<KnownModelFacts, 'quantization'> = { ...QWEN25_72B, paramsBillion: 72.958, intermediateSize: 29696, groupSize: 128 };

/** Built-in table, keyed by lower-cased Hugging Face repo id. */
export const MODEL_FACTS: Readonly<Record<string, KnownModelFacts>> = {
  'qwen/qwen2.5-72b-instruct': QWEN25_72B,
  'qwen/qwen2.5-72b-instruct-awq': { ...QWEN25_72B_INT4, quantization: 'awq' },
  'qwen/qwen2.5-72b-instruct-gptq-int4': { ...QWEN25_72B_INT4, quantization: 'gptq' },
  // hidden 3584 / 28 heads = 128; vocab 152064, untied.
  'qwen/qwen2.5-7b-instruct': {
    paramsBillion: 7.616,
    layers: 28,
    attentionHeads: 28,
    kvHeads: 4,
    headDim: 128,
    intermediateSize: 18944,
    embeddingParamsBillion: 1.09,
  },
  // hidden 1536 / 12 heads = 128; vocab 151936, tied embeddings: 151936 × 1536 = 0.233 B.
  'qwen/qwen2.5-1.5b-instruct': {
    paramsBillion: 1.544,
    layers: 28,
    attentionHeads: 12,
    kvHeads: 2,
    headDim: 128,
    intermediateSize: 8960,
    embeddingParamsBillion: 0.233,
  },
  // hidden 5120 but head_dim is set to 128 in the config (32 × 128 = 4096 ≠ 5120); vocab 131072, untied.
  'mistralai/mistral-nemo-instruct-2407': {
    paramsBillion: 12.248,
    layers: 40,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    embeddingParamsBillion: 1.342,
  },
  // hidden 4096 / 32 = 128; vocab 128256, untied.
  'meta-llama/llama-3.1-8b-instruct': {
    paramsBillion: 8.03,
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    intermediateSize: 14336,
    embeddingParamsBillion: 1.051,
  },
  // hidden 8192 / 64 = 128; vocab 128256, untied.
  'meta-llama/llama-3.1-70b-instruct': {
    paramsBillion: 70.554,
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    intermediateSize: 28672,
    embeddingParamsBillion: 2.101,
  },
};

/** Repo ids that were renamed upstream, mapped to the table's key. */
const ALIASES: Readonly<Record<string, string>> = {
  'meta-llama/meta-llama-3.1-8b-instruct': 'meta-llama/llama-3.1-8b-instruct',
  'meta-llama/meta-llama-3.1-70b-instruct': 'meta-llama/llama-3.1-70b-instruct',
};

/** Facts for a vLLM stack: the spec's own `modelFacts` first, then the built-in table. */
export function modelFactsFor(stack: Pick<VllmStackSpec, 'model' | 'modelFacts'>): KnownModelFacts | undefined {
  if (stack.modelFacts) return stack.modelFacts;
  const key = stack.model.toLowerCase();
  return MODEL_FACTS[ALIASES[key] ?? key];
}
