/**
 * vLLM model fit: do the weights and one full-length sequence of KV cache fit the guest's GPUs,
 * and can the tensor-parallel size work? The arithmetic lives in `../vllm-fit.ts`; these rules
 * pick the inputs from the spec and say the numbers in the message.
 */
import { type Environment, type GpuSpec, type Guest, gpusOf, Size, type VllmStackSpec } from '../../model';
import type { LocalLookup } from '../local-model-facts';
import { type KnownModelFacts, MODEL_FACTS, modelFactsFor } from '../model-facts';
import type { CheckContext, Issue, Rule } from '../types';
import { estimateVllmFit, fmt, quantizedShardProblem, tensorParallelProblems, type VllmFit } from '../vllm-fit';

interface VllmCase {
  readonly guest: Guest;
  readonly stack: VllmStackSpec;
  readonly path: string;
  readonly facts?: KnownModelFacts;
  readonly gpus: readonly GpuSpec[];
  readonly quantization?: VllmStackSpec['quantization'];
  readonly tp: number;
  /** Undefined when facts or GPUs are unknown. */
  readonly fit?: VllmFit;
}

/** Facts from the table or the spec, else from the model's files on this machine (read by the engine). */
function factsOf(ctx: CheckContext, stack: VllmStackSpec): KnownModelFacts | undefined {
  const local = ctx.localModels?.get(stack.model);
  return modelFactsFor(stack) ?? (local && 'facts' in local ? local.facts : undefined);
}

function cases(ctx: CheckContext): VllmCase[] {
  const { env } = ctx;
  return env.guests.flatMap((guest) =>
    guest.stacks.flatMap((stack, j) => {
      if (stack.kind !== 'vllm') return [];
      const facts = factsOf(ctx, stack);
      const gpus = gpusOf(env, guest);
      const quantization = stack.quantization ?? facts?.quantization;
      const tp = stack.tensorParallelSize ?? Math.max(1, gpus.length);
      const fit =
        facts && gpus.length > 0
          ? estimateVllmFit({
              facts,
              dtype: stack.dtype ?? 'auto',
              ...(quantization ? { quantization } : {}),
              kvCacheDtype: stack.kvCacheDtype ?? 'auto',
              gpuVramGib: gpus.map((g) => g.vramGib),
              gpuMemoryUtilization: stack.gpuMemoryUtilization,
              maxModelLen: stack.maxModelLen,
            })
          : undefined;
      return [
        {
          guest,
          stack,
          path: `guests[${guest.index}].stacks[${j}]`,
          ...(facts ? { facts } : {}),
          gpus,
          ...(quantization ? { quantization } : {}),
          tp,
          ...(fit ? { fit } : {}),
        },
      ];
    }),
  );
}

/** "1 × 48 GiB (NVIDIA RTX 6000 Ada) at 0.90" */
function hardware(c: VllmCase): string {
  const models = [...new Set(c.gpus.map((g) => g.model))].join(', ');
  return `${c.gpus.length} × ${c.fit!.vramGibPerGpu} GiB (${models}) at ${c.stack.gpuMemoryUtilization.toFixed(2)}`;
}

function precision(c: VllmCase): string {
  if (c.quantization) return `${c.quantization.toUpperCase()} (${fmt(c.fit!.bytesPerParam, 2)} B/param)`;
  const dtype = c.stack.dtype ?? 'auto';
  return `${dtype === 'auto' ? 'bf16 (auto)' : dtype} (${fmt(c.fit!.bytesPerParam, 0)} B/param)`;
}

/** Smallest power-of-two GPU count (a valid TP for every table model) that holds weights + one sequence. */
function gpusNeeded(c: VllmCase): number {
  const f = c.fit!;
  const perGpu = Size.gib(f.vramGibPerGpu).times(c.stack.gpuMemoryUtilization).minus(Size.gib(f.overheadGib).dividedBy(f.gpuCount));
  const needed = Size.gib(f.weightsGib).plus(Size.gib(f.sequenceGib));
  let n = 1;
  while (n < 64 && perGpu.times(n).isLessThan(needed)) n *= 2;
  return n;
}

/** The 4-bit AWQ sibling of a table model (`Qwen/Qwen2.5-72B-Instruct` → `…-AWQ`) and its facts. */
function quantizedAlternative(model: string): { model: string; facts: KnownModelFacts } | undefined {
  const facts = MODEL_FACTS[`${model.toLowerCase()}-awq`];
  return facts ? { model: `${model}-AWQ`, facts } : undefined;
}

function usableText(fit: VllmFit): string {
  return `${fmt(fit.usableGib)} GiB usable (${fmt(fit.budgetGib)} GiB − ${fmt(fit.overheadGib)} GiB overhead allowance)`;
}

/** GPUs the guest could be given: its node's (or, for an external host, its own described cards). */
function gpusAvailable(env: Environment, guest: Guest): { count: number; where: string } {
  if (guest.kind === 'external') return { count: guest.hostGpus?.length ?? 0, where: guest.name };
  const node = env.cluster.nodes.find((n) => n.name === guest.node);
  return { count: node?.gpus.length ?? 0, where: `node ${guest.node}` };
}

export const weightsFit: Rule = {
  id: 'PVE-LLM-001',
  family: 'model-fit',
  severity: 'error',
  title: "The model's weights fit the guest's GPUs at the configured memory utilization",
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.fit && !c.fit.fitsWeights)
      .map((c): Issue => {
        const alt = !c.quantization ? quantizedAlternative(c.stack.model) : undefined;
        const altWeights = alt
          ? estimateVllmFit({
              facts: alt.facts,
              dtype: 'float16',
              quantization: 'awq',
              kvCacheDtype: 'auto',
              gpuVramGib: [],
              gpuMemoryUtilization: 1,
              maxModelLen: 1,
            }).weightsGib
          : 0;
        const need = gpusNeeded(c);
        const available = gpusAvailable(ctx.env, c.guest);
        return {
          path: c.path,
          guest: c.guest.name,
          message: `${c.stack.model} in ${precision(c)}: weights ${fmt(c.fit!.weightsGib)} GiB (${c.facts!.paramsBillion} B params) > ${usableText(c.fit!)} on ${hardware(c)}`,
          hint: [
            alt
              ? `Use the 4-bit checkpoint ${alt.model} (weights ≈ ${fmt(altWeights)} GiB) with a modest maxModelLen`
              : 'Use a quantized checkpoint or a smaller model',
            // Only suggest GPUs the guest's machine has: TP shards across the GPUs of one guest.
            need <= available.count
              ? `or give the guest ${need} of ${available.where}'s ${available.count} GPUs with tensor parallel size ${need}.`
              : `or move it to a machine with ${need} × ${c.fit!.vramGibPerGpu} GiB GPUs (tensor parallel size ${need}); ${available.where} has ${available.count}.`,
          ].join(', '),
        };
      }),
};

export const contextFits: Rule = {
  id: 'PVE-LLM-002',
  family: 'model-fit',
  severity: 'error',
  title: 'The KV cache left after the weights holds at least one max_model_len sequence',
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.fit && c.fit.fitsWeights && !c.fit.fitsOneSequence)
      .map((c): Issue => {
        const f = c.fit!;
        const maxLen = Math.floor(f.tokenCapacity / 1024) * 1024;
        return {
          path: `${c.path}.maxModelLen`,
          guest: c.guest.name,
          message: `max_model_len ${c.stack.maxModelLen} needs ${fmt(f.sequenceGib, 2)} GiB of KV cache (${f.kvBytesPerToken / 1024} KiB/token) > ${fmt(f.kvCacheGib, 2)} GiB left = ${usableText(f)} − weights ${fmt(f.weightsGib)} GiB on ${hardware(c)}`,
          hint: `Lower maxModelLen to at most ${maxLen || f.tokenCapacity} tokens${c.stack.kvCacheDtype === 'fp8' ? '' : ', set kvCacheDtype: fp8 (halves the KV cache)'}, or raise gpuMemoryUtilization (vLLM refuses to start otherwise: "max seq len is larger than the maximum number of tokens that can be stored in KV cache").`,
        };
      }),
};

export const tensorParallel: Rule = {
  id: 'PVE-LLM-003',
  family: 'model-fit',
  severity: 'error',
  title: 'Tensor parallel size equals the GPUs given and divides the attention heads',
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.facts && (c.guest.kind !== 'external' || c.gpus.length > 0))
      .flatMap((c): Issue[] => {
        const problems = tensorParallelProblems(c.facts!, c.tp, c.gpus.length);
        if (problems.length === 0) return [];
        return [
          {
            path: `${c.path}.tensorParallelSize`,
            guest: c.guest.name,
            message: `${c.stack.model} on ${c.guest.name} (GPUs: ${c.gpus.map((g) => `${g.name} ${g.vramGib} GiB`).join(', ') || 'none'}): ${problems.join('; ')}`,
            hint:
              c.tp > c.gpus.length
                ? `Set tensorParallelSize to ${c.gpus.length} (the GPUs in ${c.guest.name}) or pass ${c.tp} GPUs into the guest; TP shards across GPUs of one guest, never across guests or nodes.`
                : `Use a tensor parallel size that divides ${c.facts!.attentionHeads} heads and equals the guest's GPU count.`,
          },
        ];
      }),
};

export const quantizedShards: Rule = {
  id: 'PVE-LLM-004',
  family: 'model-fit',
  severity: 'error',
  title: 'Group-quantized checkpoints split into whole groups under tensor parallelism',
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.facts)
      .flatMap((c): Issue[] => {
        const problem = quantizedShardProblem(c.facts!, c.tp, c.quantization);
        if (!problem) return [];
        return [
          {
            path: `${c.path}.tensorParallelSize`,
            guest: c.guest.name,
            message: `${c.stack.model} with TP ${c.tp}: ${problem}`,
            hint: 'Use TP 1, or a checkpoint whose intermediate size is padded for TP (Qwen\'s official AWQ/GPTQ-Int4 72B checkpoints use 29696); vLLM fails with "The input size is not aligned with the quantized weight shape".',
          },
        ];
      }),
};

export const fitSummary: Rule = {
  id: 'PVE-LLM-005',
  family: 'model-fit',
  severity: 'info',
  title: 'How many full-length sequences the KV cache holds',
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.fit?.fitsOneSequence)
      .map((c): Issue => {
        const f = c.fit!;
        return {
          path: c.path,
          guest: c.guest.name,
          message: `${c.stack.model}: weights ${fmt(f.weightsGib)} GiB, KV cache ${fmt(f.kvCacheGib, 2)} GiB (${usableText(f)} on ${hardware(c)}) at ${f.kvBytesPerToken / 1024} KiB/token holds ${f.tokenCapacity} tokens = ${f.concurrentSequences} concurrent ${c.stack.maxModelLen}-token sequence${f.concurrentSequences === 1 ? '' : 's'}`,
          hint: 'Estimate only: compare with the "GPU KV cache size" vLLM logs at startup.',
        };
      }),
};

export const fitUnchecked: Rule = {
  id: 'PVE-LLM-006',
  family: 'model-fit',
  severity: 'info',
  title: 'Model fit can be computed (the GPUs are described)',
  check: (ctx) =>
    cases(ctx)
      .filter((c) => c.facts && !c.fit)
      .map((c): Issue => ({
        path: c.path,
        guest: c.guest.name,
        message: `model fit of ${c.stack.model} on ${c.guest.name} not checked: the GPUs of ${c.guest.kind === 'external' ? 'an external host' : c.guest.name} are not described in the spec`,
        hint:
          c.guest.kind === 'external'
            ? "Describe the host's cards with hostGpus: [{ name, pciAddress, model, vramGib }] on the guest."
            : 'Give the guest its GPUs (gpus: [<mapping name>]) from its node.',
      })),
};

/** "looked in A and B" or why the files found there did not do. */
function lookupText(lookup: LocalLookup | undefined): string {
  if (!lookup || 'facts' in lookup) return '';
  if (lookup.problem) return `; its local files did not do: ${lookup.problem}`;
  return lookup.searched.length ? `, and no config.json for it in ${lookup.searched.join(' or ')}` : '';
}

export const modelKnown: Rule = {
  id: 'PVE-LLM-008',
  family: 'model-fit',
  severity: 'error',
  title: "The model's size and shape are known, so its fit can be checked",
  check: (ctx) =>
    cases(ctx)
      .filter((c) => !c.facts)
      .map((c): Issue => ({
        path: c.path,
        guest: c.guest.name,
        message: `cannot tell whether ${c.stack.model} fits ${c.guest.name}'s GPUs: it is not in the built-in table, the stack has no modelFacts${lookupText(ctx.localModels?.get(c.stack.model))}`,
        hint: /^[\w.-]+\/[\w.-]+$/.test(c.stack.model)
          ? `Fetch its description (a few kB, no weights): huggingface-cli download ${c.stack.model} config.json model.safetensors.index.json; pvestack reads it from the Hugging Face cache offline. Or add modelFacts { paramsBillion, layers, attentionHeads, kvHeads, headDim } from its config.json to the stack.`
          : "Point model at a directory holding the model's config.json and model.safetensors.index.json, or add modelFacts { paramsBillion, layers, attentionHeads, kvHeads, headDim } from its config.json to the stack.",
      })),
};

export const quantizationMatchesCheckpoint: Rule = {
  id: 'PVE-LLM-007',
  family: 'model-fit',
  severity: 'error',
  title: 'AWQ/GPTQ quantization is only set for a checkpoint quantized that way',
  check: (ctx) =>
    cases(ctx)
      .filter(
        (c) =>
          !c.stack.modelFacts &&
          c.facts &&
          (c.stack.quantization === 'awq' || c.stack.quantization === 'gptq') &&
          c.facts.quantization !== c.stack.quantization,
      )
      .map((c): Issue => ({
        path: `${c.path}.quantization`,
        guest: c.guest.name,
        message: `${c.stack.model} is ${c.facts!.quantization ? `a ${c.facts!.quantization.toUpperCase()}` : 'an unquantized'} checkpoint but the stack sets quantization ${c.stack.quantization}`,
        hint: `vLLM cannot quantize to ${c.stack.quantization} at load time: point model at a ${c.stack.quantization!.toUpperCase()} checkpoint${quantizedAlternative(c.stack.model) ? ` (${quantizedAlternative(c.stack.model)!.model})` : ''}, or use quantization: fp8 for online quantization.`,
      })),
};

export const MODEL_FIT_RULES: readonly Rule[] = [
  weightsFit,
  contextFits,
  tensorParallel,
  quantizedShards,
  fitSummary,
  fitUnchecked,
  quantizationMatchesCheckpoint,
  modelKnown,
];
