import { describe, expect, it } from 'vitest';
import { estimateVllmFit, kvBytesPerToken, MODEL_FACTS, quantizedShardProblem, tensorParallelProblems } from '../../../checks';
import { type Draft, env, findings } from '../fixtures';

const QWEN72 = MODEL_FACTS['qwen/qwen2.5-72b-instruct']!;
const QWEN72_AWQ = MODEL_FACTS['qwen/qwen2.5-72b-instruct-awq']!;
const vllm = (s: Draft) => s.guests[3].stacks[0];

describe('vLLM fit calculator (Qwen2.5-72B worked example)', () => {
  const base = { dtype: 'bfloat16' as const, kvCacheDtype: 'auto' as const, gpuVramGib: [48], gpuMemoryUtilization: 0.9, maxModelLen: 32768 };

  it('Qwen2.5-72B in bf16 needs 135.4 GiB of weights', () => {
    const fit = estimateVllmFit({ ...base, facts: QWEN72 });
    expect(fit.weightsGib.toFixed(1)).toBe('135.4');
    expect(fit.budgetGib.toFixed(1)).toBe('43.2');
    expect(fit.fitsWeights).toBe(false);
    expect(fit.tokenCapacity).toBe(0);
  });

  it('the 4-bit AWQ checkpoint is about 38.7 GiB', () => {
    expect(estimateVllmFit({ ...base, facts: QWEN72_AWQ, quantization: 'awq' }).weightsGib.toFixed(1)).toBe('38.7');
  });

  it('KV cache is 320 KiB per token in bf16 and half that in fp8', () => {
    expect(kvBytesPerToken(QWEN72, 2)).toBe(327_680);
    expect(kvBytesPerToken(QWEN72, 1)).toBe(163_840);
  });

  it('production: AWQ, 0.92, 8K context, fp8 KV → 3 concurrent sequences', () => {
    const fit = estimateVllmFit({
      ...base,
      facts: QWEN72_AWQ,
      quantization: 'awq',
      dtype: 'float16',
      kvCacheDtype: 'fp8',
      gpuMemoryUtilization: 0.92,
      maxModelLen: 8192,
    });
    expect(fit.usableGib.toFixed(1)).toBe('42.7');
    expect(fit.concurrentSequences).toBe(3);
    expect(fit.fitsOneSequence).toBe(true);
  });

  it('tensor parallelism: GPU count, head divisibility and group alignment', () => {
    expect(tensorParallelProblems(QWEN72, 2, 1)).toEqual(['tensor parallel size 2 needs exactly 2 GPUs in the guest, it has 1']);
    expect(tensorParallelProblems(QWEN72, 3, 3)).toEqual(['64 attention heads are not divisible by tensor parallel size 3']);
    expect(tensorParallelProblems(QWEN72, 4, 4)).toEqual([]);
    expect(quantizedShardProblem(QWEN72, 2, 'awq')).toBe('intermediate size 29568 / TP 2 = 14784.0 is not a multiple of the AWQ group size 128');
    expect(quantizedShardProblem(QWEN72_AWQ, 2, 'awq')).toBeUndefined();
    expect(quantizedShardProblem(QWEN72, 1, 'awq')).toBeUndefined();
  });
});

describe('model-fit rules', () => {
  it('the base fixture (Qwen2.5-7B on one 48 GiB GPU) fits and reports its concurrency', () => {
    const e = env();
    for (const id of ['PVE-LLM-001', 'PVE-LLM-002', 'PVE-LLM-003', 'PVE-LLM-004', 'PVE-LLM-006', 'PVE-LLM-007', 'PVE-LLM-008'])
      expect(findings(e, id)).toEqual([]);
    const [info] = findings(e, 'PVE-LLM-005');
    expect(info!.path).toBe('guests[3].stacks[0]');
    expect(info!.message).toContain('weights 14.2 GiB');
    expect(info!.message).toContain('56 KiB/token');
    expect(info!.message).toContain('62 concurrent 8192-token sequences');
  });

  it.each<[string, string, (s: Draft) => void, string, string[]]>([
    [
      'bf16 72B on one 48 GiB GPU',
      'PVE-LLM-001',
      (s) => Object.assign(vllm(s), { model: 'Qwen/Qwen2.5-72B-Instruct' }),
      'guests[3].stacks[0]',
      ['weights 135.4 GiB', '> 41.7 GiB usable (43.2 GiB − 1.5 GiB overhead allowance) on 1 × 48 GiB (NVIDIA RTX 6000 Ada) at 0.90'],
    ],
    [
      'a 32K context that does not fit after AWQ weights',
      'PVE-LLM-002',
      (s) => Object.assign(vllm(s), { model: 'Qwen/Qwen2.5-72B-Instruct-AWQ', dtype: 'float16', maxModelLen: 32768 }),
      'guests[3].stacks[0].maxModelLen',
      ['max_model_len 32768 needs 10.00 GiB of KV cache (320 KiB/token)', 'weights 38.7 GiB'],
    ],
    [
      'TP larger than the GPUs given',
      'PVE-LLM-003',
      (s) => (vllm(s).tensorParallelSize = 2),
      'guests[3].stacks[0].tensorParallelSize',
      ['tensor parallel size 2 needs exactly 2 GPUs in the guest, it has 1'],
    ],
    [
      'TP that does not divide the heads (spec-supplied facts)',
      'PVE-LLM-003',
      (s) => {
        s.guests[3].gpus = ['gpu0', 'gpu1'];
        Object.assign(vllm(s), { model: 'acme/odd-7b', modelFacts: { paramsBillion: 7, layers: 32, attentionHeads: 25, kvHeads: 5, headDim: 128 } });
      },
      'guests[3].stacks[0].tensorParallelSize',
      ['25 attention heads are not divisible by tensor parallel size 2'],
    ],
    [
      'group-quantized checkpoint not aligned for TP 2',
      'PVE-LLM-004',
      (s) => {
        s.guests[3].gpus = ['gpu0', 'gpu1'];
        Object.assign(vllm(s), {
          model: 'acme/self-quantized-72b',
          quantization: 'gptq',
          modelFacts: { paramsBillion: 72.7, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, intermediateSize: 29568 },
        });
      },
      'guests[3].stacks[0].tensorParallelSize',
      ['intermediate size 29568 / TP 2 = 14784.0 is not a multiple of the GPTQ group size 128'],
    ],
    [
      'an external host whose GPUs are not described',
      'PVE-LLM-006',
      (s) => {
        const llm = s.guests[3];
        Object.assign(llm, { kind: 'external' });
        for (const key of ['node', 'vmId', 'gpus', 'disks']) delete llm[key];
      },
      'guests[3].stacks[0]',
      ['model fit of Qwen/Qwen2.5-7B-Instruct on llm not checked: the GPUs of an external host are not described in the spec'],
    ],
    [
      'AWQ on an unquantized checkpoint',
      'PVE-LLM-007',
      (s) => (vllm(s).quantization = 'awq'),
      'guests[3].stacks[0].quantization',
      ['Qwen/Qwen2.5-7B-Instruct is an unquantized checkpoint but the stack sets quantization awq'],
    ],
  ])('%s → %s', (_name, rule, edit, path, fragments) => {
    const found = findings(env(edit), rule);
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe(rule === 'PVE-LLM-006' ? 'info' : 'error');
    expect(found[0]!.path).toBe(path);
    for (const text of fragments) expect(found[0]!.message).toContain(text);
  });

  it('two GPUs with TP 2 make the bf16 72B weights fit no better than 83.4 GiB usable', () => {
    const e = env((s) => {
      s.guests[3].gpus = ['gpu0', 'gpu1'];
      Object.assign(vllm(s), { model: 'Qwen/Qwen2.5-72B-Instruct', tensorParallelSize: 2 });
    });
    expect(findings(e, 'PVE-LLM-003')).toEqual([]);
    expect(findings(e, 'PVE-LLM-001')[0]!.message).toContain('> 83.4 GiB usable (86.4 GiB − 3.0 GiB overhead allowance) on 2 × 48 GiB');
  });
});
