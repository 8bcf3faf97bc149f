/**
 * Will this vLLM configuration fit its GPUs? A pure calculator (no spec, no I/O) shared by the
 * model-fit rules, `graph` and the docs. Formulas (the standard vLLM memory arithmetic):
 * - weights = parameters × bytes per parameter; for 4-bit AWQ/GPTQ 0.5 B plus group scale/zero
 *   overhead (2.5 B per group), with embeddings and lm_head kept 16-bit;
 * - KV cache per token = 2 (K and V) × layers × KV heads × head dim × KV bytes;
 * - usable = GPUs × VRAM × gpu_memory_utilization − GPUs × overhead allowance (activations, CUDA
 *   graphs; 1.5 GiB per GPU unless told otherwise); KV space = usable − weights.
 * These are estimates: vLLM logs the real KV cache size at startup.
 */
import { Size } from '../model';
import type { KnownModelFacts } from './model-facts';

/** Activation and CUDA-graph memory assumed per GPU (typically 1–2 GiB in vLLM startup logs). */
export const DEFAULT_OVERHEAD_GIB_PER_GPU = 1.5;
/** Group size of AWQ/GPTQ checkpoints unless the facts say otherwise. */
export const DEFAULT_GROUP_SIZE = 128;

export type Quantization = 'awq' | 'gptq' | 'fp8';

export interface VllmFitInput {
  readonly facts: KnownModelFacts;
  /** `auto` means the checkpoint's dtype: bf16 for every model in the table. */
  readonly dtype: 'auto' | 'bfloat16' | 'float16' | 'float32';
  readonly quantization?: Quantization;
  readonly kvCacheDtype: 'auto' | 'fp8';
  /** VRAM of each GPU the server can use, in GiB. */
  readonly gpuVramGib: readonly number[];
  readonly gpuMemoryUtilization: number;
  readonly maxModelLen: number;
  /** @default DEFAULT_OVERHEAD_GIB_PER_GPU */
  readonly overheadGibPerGpu?: number;
}

export interface VllmFit {
  /** Effective bytes per quantized parameter (2 for bf16, 0.52 for 4-bit g128, ...). */
  readonly bytesPerParam: number;
  readonly weightsGib: number;
  readonly gpuCount: number;
  /** The smallest GPU's VRAM: vLLM shards evenly, so the smallest card limits every shard. */
  readonly vramGibPerGpu: number;
  /** GPUs × VRAM × utilization. */
  readonly budgetGib: number;
  readonly overheadGib: number;
  /** budget − overhead: what weights and KV cache share. */
  readonly usableGib: number;
  /** usable − weights (negative when the weights alone do not fit). */
  readonly kvCacheGib: number;
  readonly kvBytesPerToken: number;
  /** KV cache one `maxModelLen` sequence needs. */
  readonly sequenceGib: number;
  /** Tokens the KV cache holds (0 when the weights do not fit). */
  readonly tokenCapacity: number;
  /** Full-length sequences that fit at once. */
  readonly concurrentSequences: number;
  readonly fitsWeights: boolean;
  readonly fitsOneSequence: boolean;
}

/** Bytes per parameter for the dtype/quantization, and what embeddings cost. */
function weightBytes(input: VllmFitInput): { perParam: number; embeddingPerParam: number } {
  const dense = input.dtype === 'float32' ? 4 : 2;
  if (input.quantization === 'fp8') return { perParam: 1, embeddingPerParam: dense };
  if (input.quantization === 'awq' || input.quantization === 'gptq') {
    const group = input.facts.groupSize ?? DEFAULT_GROUP_SIZE;
    // 4-bit weights plus, per group, a 16-bit scale and a 4-bit zero point; activations run in fp16.
    return { perParam: 0.5 + 2.5 / group, embeddingPerParam: 2 };
  }
  return { perParam: dense, embeddingPerParam: dense };
}

export function kvBytesPerToken(facts: Pick<KnownModelFacts, 'layers' | 'kvHeads' | 'headDim'>, kvBytes: number): number {
  return 2 * facts.layers * facts.kvHeads * facts.headDim * kvBytes;
}

/**
 * The checkpoint's exact size when vLLM loads it as stored: same quantization, and for an
 * unquantized checkpoint a 16-bit dtype that `auto` or the stack's dtype keeps (vLLM's `auto`
 * casts fp32 checkpoints to fp16, so their stored size is not what loads).
 */
function storedWeights(input: VllmFitInput): Size | undefined {
  const { facts } = input;
  if (facts.weightBytes === undefined || input.quantization !== facts.quantization) return undefined;
  if (facts.quantization) return Size.bytes(facts.weightBytes);
  if (facts.checkpointDtype === undefined || facts.checkpointDtype === 'float32') return undefined;
  // bf16 and fp16 have the same size, so only a float32 dtype changes what loads.
  return input.dtype === 'float32' ? undefined : Size.bytes(facts.weightBytes);
}

/**
 * The arithmetic runs on `Size` values, so checkpoint bytes, VRAM GiB and KV-cache bytes meet only
 * through explicit units; the result reports them in GiB, as the messages and the graph show them.
 */
export function estimateVllmFit(input: VllmFitInput): VllmFit {
  const { facts } = input;
  const { perParam, embeddingPerParam } = weightBytes(input);
  const embedding = Math.min(facts.embeddingParamsBillion ?? 0, facts.paramsBillion);
  const weights = storedWeights(input) ?? Size.bytes(((facts.paramsBillion - embedding) * perParam + embedding * embeddingPerParam) * 1e9);
  const gpuCount = input.gpuVramGib.length;
  const vrams = input.gpuVramGib.map(Size.gib);
  const vramPerGpu = vrams.length > 0 ? Size.min(vrams[0]!, ...vrams.slice(1)) : Size.ZERO;
  const budget = vramPerGpu.times(gpuCount).times(input.gpuMemoryUtilization);
  const overhead = Size.gib(input.overheadGibPerGpu ?? DEFAULT_OVERHEAD_GIB_PER_GPU).times(gpuCount);
  const usable = budget.minus(overhead);
  const kvCache = usable.minus(weights);
  const kvBytes = input.kvCacheDtype === 'fp8' ? 1 : input.dtype === 'float32' ? 4 : 2;
  const perToken = kvBytesPerToken(facts, kvBytes);
  const tokenCapacity = kvCache.isPositive() ? Math.floor(kvCache.toBytes() / perToken) : 0;
  const concurrentSequences = Math.floor(tokenCapacity / input.maxModelLen);
  return {
    bytesPerParam: perParam,
    weightsGib: weights.toGib(),
    gpuCount,
    vramGibPerGpu: vramPerGpu.toGib(),
    budgetGib: budget.toGib(),
    overheadGib: overhead.toGib(),
    usableGib: usable.toGib(),
    kvCacheGib: kvCache.toGib(),
    kvBytesPerToken: perToken,
    sequenceGib: Size.bytes(input.maxModelLen * perToken).toGib(),
    tokenCapacity,
    concurrentSequences,
    fitsWeights: weights.isAtMost(usable),
    fitsOneSequence: concurrentSequences >= 1,
  };
}

/**
 * Why a tensor-parallel size cannot work, in vLLM's terms; empty when it can. `gpuCount` is the
 * number of GPUs visible to the server (given to the guest).
 */
export function tensorParallelProblems(facts: KnownModelFacts, tp: number, gpuCount: number): string[] {
  const problems: string[] = [];
  if (tp !== gpuCount) problems.push(`tensor parallel size ${tp} needs exactly ${tp} GPU${tp === 1 ? '' : 's'} in the guest, it has ${gpuCount}`);
  if (facts.attentionHeads % tp !== 0) problems.push(`${facts.attentionHeads} attention heads are not divisible by tensor parallel size ${tp}`);
  else if (facts.kvHeads % tp !== 0 && tp % facts.kvHeads !== 0)
    problems.push(`${facts.kvHeads} KV heads neither divide nor are divisible by tensor parallel size ${tp}`);
  return problems;
}

/**
 * Group-quantized checkpoints split each MLP row into groups; every TP shard must hold whole
 * groups: `(intermediate / TP) % group == 0`. Returns the problem, or undefined.
 */
export function quantizedShardProblem(facts: KnownModelFacts, tp: number, quantization?: Quantization): string | undefined {
  if (quantization !== 'awq' && quantization !== 'gptq') return undefined;
  if (facts.intermediateSize === undefined) return undefined;
  const group = facts.groupSize ?? DEFAULT_GROUP_SIZE;
  const shard = facts.intermediateSize / tp;
  if (Number.isInteger(shard) && shard % group === 0) return undefined;
  return `intermediate size ${facts.intermediateSize} / TP ${tp} = ${fmt(shard)} is not a multiple of the ${quantization.toUpperCase()} group size ${group}`;
}

/** Rounds for messages: one decimal, trailing `.0` kept so columns line up. */
export function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}
