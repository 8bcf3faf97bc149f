/**
 * Model facts read from the model itself, offline: a Hugging Face snapshot (the cache that
 * `huggingface-cli download` and vLLM fill) or any directory holding the model's `config.json` and
 * its safetensors index. Only these small JSON files (and, when the index lacks a total, the
 * shards' headers) are read; no weights, no network.
 *
 * Sources of the fields: transformers' `PretrainedConfig` (`num_hidden_layers`,
 * `num_attention_heads`, `num_key_value_heads`, `head_dim`, `hidden_size`, `intermediate_size`,
 * `vocab_size`, `tie_word_embeddings`, `torch_dtype`/`dtype`, `quantization_config`); the index's
 * `metadata.total_size` is the byte size of every tensor, written by `save_pretrained`
 * (huggingface_hub `split_torch_state_dict_into_shards`); a safetensors file starts with an 8-byte
 * little-endian header length and a JSON header whose `data_offsets` give each tensor's bytes
 * (safetensors format spec).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Size } from '../model';
import type { KnownModelFacts } from './model-facts';

/** Facts read from files, with the exact byte size of the checkpoint. */
export interface LocalModelFacts extends KnownModelFacts {
  /** Bytes of all weights as stored (`metadata.total_size` or the shards' headers). */
  readonly weightBytes: number;
  /** The checkpoint's dtype (`torch_dtype`). */
  readonly checkpointDtype?: 'bfloat16' | 'float16' | 'float32';
  /** The directory the facts were read from, for messages. */
  readonly from: string;
}

/** Why a directory could not give facts (for the message of the rule that needed them). */
export class ModelFilesError extends Error {}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new ModelFilesError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Bytes of the tensors in one safetensors file, from its header alone. */
export function safetensorsBytes(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 8, 0);
    const length = Number(head.readBigUInt64LE(0));
    if (length <= 0 || length > 100 * 1024 * 1024) throw new ModelFilesError(`${file} is not a safetensors file (header length ${length})`);
    const header = Buffer.alloc(length);
    fs.readSync(fd, header, 0, length, 8);
    const tensors = JSON.parse(header.toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
    return Object.entries(tensors).reduce(
      (sum, [name, t]) => (name === '__metadata__' || !t.data_offsets ? sum : sum + t.data_offsets[1] - t.data_offsets[0]),
      0,
    );
  } finally {
    fs.closeSync(fd);
  }
}

/** Total weight bytes: the index's total, else the shards' headers, else the single file's. */
function weightBytes(dir: string): number {
  const indexFile = path.join(dir, 'model.safetensors.index.json');
  if (fs.existsSync(indexFile)) {
    const index = readJson(indexFile);
    const total = num((index.metadata as Json | undefined)?.total_size);
    if (total !== undefined && total > 0) return total;
    const shards = [...new Set(Object.values((index.weight_map as Record<string, string> | undefined) ?? {}))];
    const missing = shards.filter((s) => !fs.existsSync(path.join(dir, s)));
    if (shards.length === 0 || missing.length)
      throw new ModelFilesError(
        `${indexFile} has no metadata.total_size and its shards ${missing.length ? `(${missing.join(', ')}) are not there` : 'are not listed'}`,
      );
    return Size.sum(shards.map((s) => Size.bytes(safetensorsBytes(path.join(dir, s))))).toBytes();
  }
  const single = path.join(dir, 'model.safetensors');
  if (fs.existsSync(single)) return safetensorsBytes(single);
  throw new ModelFilesError(`${dir} has config.json but neither model.safetensors.index.json nor model.safetensors`);
}

const DTYPE_BYTES: Readonly<Record<string, number>> = { bfloat16: 2, float16: 2, float32: 4 };

/**
 * Reads layers, heads, KV heads, head size, MLP size, embeddings, dtype, quantization and the exact
 * weight bytes from a model directory.
 * @throws ModelFilesError when a file is missing or does not say what is needed
 */
export function readModelFacts(dir: string): LocalModelFacts {
  const raw = readJson(path.join(dir, 'config.json'));
  // Multimodal configs keep the language model's fields under text_config.
  const config: Json = { ...raw, ...((raw.text_config as Json | undefined) ?? {}) };
  const layers = num(config.num_hidden_layers);
  const attentionHeads = num(config.num_attention_heads);
  const hidden = num(config.hidden_size);
  if (layers === undefined || attentionHeads === undefined || hidden === undefined)
    throw new ModelFilesError(`${path.join(dir, 'config.json')} lacks num_hidden_layers, num_attention_heads or hidden_size`);
  const kvHeads = num(config.num_key_value_heads) ?? attentionHeads;
  const headDim = num(config.head_dim) ?? hidden / attentionHeads;
  const dtypeName = String(config.torch_dtype ?? config.dtype ?? '');
  const checkpointDtype = dtypeName in DTYPE_BYTES ? (dtypeName as LocalModelFacts['checkpointDtype']) : undefined;
  const quant = raw.quantization_config as Json | undefined;
  const method = String(quant?.quant_method ?? '').toLowerCase();
  const quantization = method === 'awq' || method === 'gptq' || method === 'fp8' ? method : undefined;
  const bytes = weightBytes(dir);
  const vocab = num(config.vocab_size);
  const embeddingParams = vocab !== undefined ? vocab * hidden * (config.tie_word_embeddings === true ? 1 : 2) : 0;
  // Parameters: exact for an unquantized checkpoint of one dtype (bytes / bytes per element);
  // a quantized one packs several weights per stored element, so count from the architecture.
  const intermediateSize = num(config.intermediate_size);
  const params =
    quantization || !checkpointDtype
      ? denseDecoderParams(layers, hidden, attentionHeads, kvHeads, headDim, intermediateSize ?? 4 * hidden, embeddingParams)
      : bytes / DTYPE_BYTES[checkpointDtype]!;
  const groupSize = num(quant?.group_size);
  return {
    paramsBillion: Math.round(params / 1e6) / 1e3,
    layers,
    attentionHeads,
    kvHeads,
    headDim,
    ...(intermediateSize !== undefined ? { intermediateSize } : {}),
    embeddingParamsBillion: Math.round(embeddingParams / 1e6) / 1e3,
    ...(quantization ? { quantization } : {}),
    ...(groupSize !== undefined && groupSize > 0 ? { groupSize } : {}),
    weightBytes: bytes,
    ...(checkpointDtype ? { checkpointDtype } : {}),
    from: dir,
  };
}

/** Parameters of a dense decoder (attention + gated MLP + embeddings), for quantized checkpoints. */
function denseDecoderParams(layers: number, hidden: number, heads: number, kvHeads: number, headDim: number, intermediate: number, embeddings: number): number {
  const attention = 2 * hidden * heads * headDim + 2 * hidden * kvHeads * headDim;
  const mlp = 3 * hidden * intermediate;
  return layers * (attention + mlp) + embeddings;
}

/** `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (huggingface_hub's constants). */
export function huggingFaceCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

/**
 * The snapshot directory of `model` (`org/name`) in a Hugging Face cache: the revision `refs/main`
 * points at, else the newest snapshot that has a config.json.
 */
export function snapshotDir(cacheDir: string, model: string): string | undefined {
  const repo = path.join(cacheDir, `models--${model.split('/').join('--')}`);
  const snapshots = path.join(repo, 'snapshots');
  if (!fs.existsSync(snapshots)) return undefined;
  const ref = path.join(repo, 'refs', 'main');
  if (fs.existsSync(ref)) {
    const dir = path.join(snapshots, fs.readFileSync(ref, 'utf8').trim());
    if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  }
  const candidates = fs
    .readdirSync(snapshots)
    .map((rev) => path.join(snapshots, rev))
    .filter((dir) => fs.existsSync(path.join(dir, 'config.json')))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return candidates[0];
}

/** The result of looking for a model's files: facts, or where it looked and why that failed. */
export type LocalLookup = { readonly facts: LocalModelFacts } | { readonly searched: readonly string[]; readonly problem?: string };

/**
 * Looks `model` up on this machine: the model itself when it is a directory path holding a
 * config.json, else its snapshot in the Hugging Face cache (for an `org/name` repo id).
 */
export function findLocalModelFacts(model: string, env: NodeJS.ProcessEnv = process.env): LocalLookup {
  const searched: string[] = [];
  const dirs: string[] = [];
  if (path.isAbsolute(model) || model.startsWith('.')) {
    searched.push(path.resolve(model));
    if (fs.existsSync(path.join(path.resolve(model), 'config.json'))) dirs.push(path.resolve(model));
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(model)) {
    const cache = huggingFaceCacheDir(env);
    searched.push(path.join(cache, `models--${model.split('/').join('--')}`));
    const snapshot = snapshotDir(cache, model);
    if (snapshot) dirs.push(snapshot);
  }
  for (const dir of dirs) {
    try {
      return { facts: readModelFacts(dir) };
    } catch (err) {
      if (err instanceof ModelFilesError) return { searched, problem: err.message };
      throw err;
    }
  }
  return { searched };
}
