import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../checks';
import { findLocalModelFacts, huggingFaceCacheDir, readModelFacts, safetensorsBytes, snapshotDir } from '../../checks/local-model-facts';
import { scratchDir } from '../support/tools';
import { type Draft, env, findings } from './fixtures';

/**
 * A Hugging Face cache made for the test: the two small files `huggingface-cli download MODEL
 * config.json model.safetensors.index.json` fetches, laid out as huggingface_hub stores them
 * (`models--org--name/snapshots/<revision>/`, `refs/main` naming the revision).
 */
function writeSnapshot(cache: string, model: string, config: object, index: object): string {
  const repo = path.join(cache, `models--${model.replace('/', '--')}`);
  const snapshot = path.join(repo, 'snapshots', '0123abcd');
  fs.mkdirSync(snapshot, { recursive: true });
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'refs', 'main'), '0123abcd');
  fs.writeFileSync(path.join(snapshot, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(snapshot, 'model.safetensors.index.json'), JSON.stringify(index));
  return snapshot;
}

/** A safetensors file: 8-byte little-endian header length, JSON header, then the tensor bytes. */
function writeSafetensors(file: string, tensors: Record<string, { dtype: string; shape: number[]; bytes: number }>): void {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes] };
    offset += t.bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([length, json, Buffer.alloc(offset)]));
}

// A 32B-class model shaped like Qwen2.5-32B-Instruct's config.json; the index's total is made for the test.
const MODEL = 'acme/test-32b-instruct';
const CONFIG = {
  architectures: ['Qwen2ForCausalLM'],
  hidden_size: 5120,
  intermediate_size: 27648,
  num_attention_heads: 40,
  num_hidden_layers: 64,
  num_key_value_heads: 8,
  vocab_size: 152064,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};
const TOTAL_SIZE = 65_527_752_704;
const INDEX = { metadata: { total_size: TOTAL_SIZE }, weight_map: { 'model.embed_tokens.weight': 'model-00001-of-00017.safetensors' } };

describe('model facts read from the model itself (offline)', () => {
  const { dir, cleanup } = scratchDir('pvestack-hf-');
  afterAll(cleanup);
  const cache = path.join(dir, 'hub');
  const snapshot = writeSnapshot(cache, MODEL, CONFIG, INDEX);
  const lookUpModel = (m: string) => findLocalModelFacts(m, { HF_HUB_CACHE: cache });

  it('reads layers, heads, KV heads, head size, dtype and the exact weight bytes', () => {
    expect(readModelFacts(snapshot)).toEqual({
      // 65 527 752 704 bytes / 2 bytes per bf16 parameter = 32.764 B parameters
      paramsBillion: 32.764,
      layers: 64,
      attentionHeads: 40,
      kvHeads: 8,
      headDim: 128, // 5120 / 40
      intermediateSize: 27648,
      embeddingParamsBillion: 1.557, // 152064 × 5120 × 2 (untied)
      weightBytes: TOTAL_SIZE,
      checkpointDtype: 'bfloat16',
      from: snapshot,
    });
  });

  it('finds the snapshot refs/main names, in HF_HUB_CACHE or HF_HOME/hub', () => {
    expect(snapshotDir(cache, MODEL)).toBe(snapshot);
    expect(huggingFaceCacheDir({ HF_HOME: '/x/hf' })).toBe(path.join('/x/hf', 'hub'));
    expect(huggingFaceCacheDir({ HF_HUB_CACHE: cache, HF_HOME: '/x/hf' })).toBe(cache);
    expect(lookUpModel(MODEL)).toEqual({ facts: expect.objectContaining({ weightBytes: TOTAL_SIZE }) });
  });

  const onCard = (vramGib: number, count: number) => (s: Draft) => {
    s.cluster.nodes[0].gpus = Array.from({ length: count }, (_, i) => ({
      name: `gpu${i}`,
      pciAddress: `0000:0${i + 1}:00.0`,
      model: 'NVIDIA Test',
      vramGib,
      deviceId: '10de:2684',
    }));
    s.guests[3].gpus = s.cluster.nodes[0].gpus.map((g: { name: string }) => g.name);
    Object.assign(s.guests[3].stacks[0], { model: MODEL, dtype: 'auto' });
  };

  it('fails a 32B bf16 model on one 24 GiB card, with the numbers worked out by hand', () => {
    // weights = 65 527 752 704 B / 2^30 = 61.027 GiB (exact: the checkpoint's own size)
    // usable  = 1 × 24 GiB × 0.90 − 1 × 1.5 GiB = 21.6 − 1.5 = 20.1 GiB  → 61.0 > 20.1: does not fit
    // hint    = KV per token 2 × 64 layers × 8 KV heads × 128 × 2 B = 262 144 B = 256 KiB; one 8192-token
    //           sequence = 2 GiB; per GPU 20.1 GiB → 2 GPUs hold 40.2 < 63.03, 4 hold 80.4 ≥ 63.03 → 4, but the node has 1.
    const e = env(onCard(24, 1));
    const [f] = findings(e, 'PVE-LLM-001', { lookUpModel });
    expect(f!.message).toBe(
      `${MODEL} in bf16 (auto) (2 B/param): weights 61.0 GiB (32.764 B params) > 20.1 GiB usable (21.6 GiB − 1.5 GiB overhead allowance) on 1 × 24 GiB (NVIDIA Test) at 0.90`,
    );
    expect(f!.hint).toBe(
      'Use a quantized checkpoint or a smaller model, or move it to a machine with 4 × 24 GiB GPUs (tensor parallel size 4); node pve1 has 1.',
    );
    expect(runChecks(e, { lookUpModel }).ok).toBe(false);
  });

  it('passes it on two 48 GiB cards with TP 2, and says how much KV cache is left', () => {
    // usable = 2 × 48 × 0.90 − 2 × 1.5 = 86.4 − 3.0 = 83.4 GiB; weights = 65 527 752 704 / 2^30 = 61.02748 GiB
    // KV = 83.4 − 61.02748 = 22.37252 GiB; tokens = floor(22.37252 × 2^30 / 262 144) = floor(22.37252 × 4096)
    //    = floor(91 637.86) = 91 637; 91 637 / 8192 = 11.19 → 11 full-length sequences
    const usable = 2 * 48 * 0.9 - 2 * 1.5;
    const kvGib = usable - TOTAL_SIZE / 2 ** 30;
    const tokens = Math.floor((kvGib * 2 ** 30) / 262_144);
    expect(tokens).toBe(91_637);
    expect(kvGib.toFixed(2)).toBe('22.37');
    const e = env(onCard(48, 2));
    expect(findings(e, 'PVE-LLM-001', { lookUpModel })).toEqual([]);
    expect(findings(e, 'PVE-LLM-005', { lookUpModel })[0]!.message).toBe(
      `${MODEL}: weights 61.0 GiB, KV cache 22.37 GiB (83.4 GiB usable (86.4 GiB − 3.0 GiB overhead allowance) on 2 × 48 GiB (NVIDIA Test) at 0.90) at 256 KiB/token holds 91637 tokens = 11 concurrent 8192-token sequences`,
    );
  });

  it('suggests only as many GPUs as the node has', () => {
    // usable per 24 GiB GPU 20.1 GiB; 61.03 + 2 GiB needs 4; a node with 4 such cards can give them.
    const e = env((s) => {
      onCard(24, 4)(s);
      s.guests[3].gpus = ['gpu0'];
    });
    expect(findings(e, 'PVE-LLM-001', { lookUpModel })[0]!.hint).toBe(
      "Use a quantized checkpoint or a smaller model, or give the guest 4 of node pve1's 4 GPUs with tensor parallel size 4.",
    );
  });

  it('fails the check for a model that is nowhere: not in the table, the spec or this machine', () => {
    const e = env((s) => (s.guests[3].stacks[0].model = 'acme/unknown-7b'));
    const report = runChecks(e, { lookUpModel });
    expect(report.ok).toBe(false);
    const [f] = report.findings.filter((x) => x.rule === 'PVE-LLM-008');
    expect(f).toMatchObject({ severity: 'error', path: 'guests[3].stacks[0]' });
    expect(f!.message).toBe(
      `cannot tell whether acme/unknown-7b fits llm's GPUs: it is not in the built-in table, the stack has no modelFacts, and no config.json for it in ${path.join(cache, 'models--acme--unknown-7b')}`,
    );
    expect(f!.hint).toBe(
      'Fetch its description (a few kB, no weights): huggingface-cli download acme/unknown-7b config.json model.safetensors.index.json; pvestack reads it from the Hugging Face cache offline. Or add modelFacts { paramsBillion, layers, attentionHeads, kvHeads, headDim } from its config.json to the stack.',
    );
  });

  it('reads a model directory given as the model path, sizing shards from their headers when the index has no total', () => {
    const modelDir = path.join(dir, 'models', 'tiny');
    fs.mkdirSync(modelDir, { recursive: true });
    fs.writeFileSync(
      path.join(modelDir, 'config.json'),
      JSON.stringify({
        ...CONFIG,
        hidden_size: 64,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        num_hidden_layers: 2,
        head_dim: 32,
        torch_dtype: 'float16',
      }),
    );
    writeSafetensors(path.join(modelDir, 'a.safetensors'), { 'x.weight': { dtype: 'F16', shape: [64, 64], bytes: 8192 } });
    writeSafetensors(path.join(modelDir, 'b.safetensors'), {
      'y.weight': { dtype: 'F16', shape: [64, 32], bytes: 4096 },
      'z.bias': { dtype: 'F16', shape: [32], bytes: 64 },
    });
    fs.writeFileSync(
      path.join(modelDir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: { 'x.weight': 'a.safetensors', 'y.weight': 'b.safetensors', 'z.bias': 'b.safetensors' } }),
    );
    expect(safetensorsBytes(path.join(modelDir, 'b.safetensors'))).toBe(4096 + 64);
    const found = findLocalModelFacts(modelDir, {});
    expect(found).toEqual({
      facts: expect.objectContaining({ weightBytes: 8192 + 4096 + 64, headDim: 32, kvHeads: 2, layers: 2, checkpointDtype: 'float16' }),
    });
  });

  it('says which file did not do', () => {
    const broken = path.join(dir, 'models', 'broken');
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'config.json'), JSON.stringify(CONFIG));
    expect(findLocalModelFacts(broken, {})).toEqual({
      searched: [broken],
      problem: `${broken} has config.json but neither model.safetensors.index.json nor model.safetensors`,
    });
  });
});
