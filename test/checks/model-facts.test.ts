import { describe, expect, it } from 'vitest';
import { MODEL_FACTS } from '../../checks';

/**
 * The built-in table against each model's config.json on Hugging Face (values copied by hand from
 * the configs): parameters of a dense decoder = layers × (attention + gated MLP + 2 norms) + final
 * norm + embeddings, where attention = q and o (hidden × heads × head dim each) + k and v (hidden ×
 * KV heads × head dim each) + the q/k/v biases Qwen2 has, MLP = 3 × hidden × intermediate, and
 * embeddings = vocab × hidden, twice when input and output embeddings are not tied.
 */
const CONFIGS: Record<
  string,
  { layers: number; hidden: number; heads: number; kvHeads: number; intermediate: number; vocab: number; tied: boolean; qkvBias: boolean }
> = {
  'qwen/qwen2.5-72b-instruct': { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, intermediate: 29568, vocab: 152064, tied: false, qkvBias: true },
  'qwen/qwen2.5-7b-instruct': { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, intermediate: 18944, vocab: 152064, tied: false, qkvBias: true },
  'qwen/qwen2.5-1.5b-instruct': { layers: 28, hidden: 1536, heads: 12, kvHeads: 2, intermediate: 8960, vocab: 151936, tied: true, qkvBias: true },
  'mistralai/mistral-nemo-instruct-2407': { layers: 40, hidden: 5120, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 131072, tied: false, qkvBias: false },
  'meta-llama/llama-3.1-8b-instruct': { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, intermediate: 14336, vocab: 128256, tied: false, qkvBias: false },
  'meta-llama/llama-3.1-70b-instruct': { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, intermediate: 28672, vocab: 128256, tied: false, qkvBias: false },
};

describe("the built-in model table agrees with the models' config.json", () => {
  it.each(Object.entries(CONFIGS))('%s', (key, c) => {
    const facts = MODEL_FACTS[key]!;
    const headDim = facts.headDim;
    const attention = 2 * c.hidden * c.heads * headDim + 2 * c.hidden * c.kvHeads * headDim + (c.qkvBias ? c.heads * headDim + 2 * c.kvHeads * headDim : 0);
    const perLayer = attention + 3 * c.hidden * c.intermediate + 2 * c.hidden;
    const embeddings = c.vocab * c.hidden * (c.tied ? 1 : 2);
    const params = c.layers * perLayer + c.hidden + embeddings;
    expect(facts).toMatchObject({ layers: c.layers, attentionHeads: c.heads, kvHeads: c.kvHeads, intermediateSize: c.intermediate });
    expect((params / 1e9).toFixed(3)).toBe(facts.paramsBillion.toFixed(3));
    expect((embeddings / 1e9).toFixed(3)).toBe(facts.embeddingParamsBillion!.toFixed(3));
  });

  it('head size is hidden / heads except where the config sets head_dim (Mistral-Nemo: 128, not 5120 / 32 = 160)', () => {
    for (const [key, c] of Object.entries(CONFIGS)) expect(MODEL_FACTS[key]!.headDim).toBe(key.includes('nemo') ? 128 : c.hidden / c.heads);
  });
});
