/**
 * What a release is, computed without touching a host: its content hash (a re-deploy with the same
 * hash changes nothing), its id, and a fingerprint per service so the deployer knows which services
 * changed — stateful ones restart only then, stateless ones roll one at a time.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import type { RenderedStack } from '../templates/artifacts';
import { MANIFEST_FILE } from './commands';
import { renderSecretEnvFile } from '../templates/compose/env-file';

/** The manifest stored in every release directory as {@link MANIFEST_FILE}. */
export interface ReleaseManifest {
  readonly id: string;
  readonly stack: string;
  /** sha256 over files, env files (values included, as a hash) and service metadata. */
  readonly hash: string;
  /** Per service: sha256 of its compose definition and the files it references. */
  readonly services: Readonly<Record<string, string>>;
  readonly deployedBy: string;
  readonly commit?: string;
  readonly createdAt: string;
}

/** A file the deployer writes into the release directory. */
export interface ReleaseFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
  /** Env file with secret values: masked in output, mode 0600. */
  readonly secret: boolean;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The compose file of a rendered stack (`compose.yaml` or a `docker-compose.y*ml`). */
export function composeFileOf(stack: RenderedStack): string {
  const file = stack.files.find((f) => /^(compose|docker-compose)\.ya?ml$/.test(f.path));
  if (!file) throw new Error(`rendered stack ${stack.name} has no compose file`);
  return file.path;
}

/** Every file of the release, secret env files filled from `values`, in a stable order. */
export function releaseFiles(stack: RenderedStack, values: ReadonlyMap<string, string>): ReleaseFile[] {
  const plain = stack.files.map((f) => ({ path: f.path, content: f.content, mode: f.mode ?? 0o644, secret: false }));
  const secret = stack.secretFiles.map((f) => ({ path: f.path, content: renderSecretEnvFile(f, values), mode: 0o600, secret: true }));
  return [...plain, ...secret].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Content hash of a release: equal hashes mean nothing to do. */
export function releaseHash(files: readonly ReleaseFile[]): string {
  return sha256(JSON.stringify(files.map((f) => [f.path, f.mode, sha256(f.content)])));
}

/**
 * Per-service fingerprints: the service's compose block plus the content of every release file its
 * block mentions (bind-mounted configs, env files), since compose does not see those change.
 */
export function serviceFingerprints(stack: RenderedStack, files: readonly ReleaseFile[]): Record<string, string> {
  const doc = (parse(files.find((f) => f.path === composeFileOf(stack))?.content ?? '') ?? {}) as { services?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [name, block] of Object.entries(doc.services ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const text = stableJson(block);
    const referenced = files.filter((f) => mentions(text, f.path)).map((f) => [f.path, sha256(f.content)]);
    out[name] = sha256(JSON.stringify([text, referenced]));
  }
  return out;
}

/** Services that are new or whose fingerprint differs from the running release's. */
export function changedServices(previous: ReleaseManifest | undefined, next: Readonly<Record<string, string>>): string[] {
  return Object.keys(next).filter((name) => previous?.services[name] !== next[name]);
}

/** Service names ordered so that every service comes after the ones it depends on. */
export function startOrder(stack: RenderedStack, files: readonly ReleaseFile[]): string[] {
  const doc = (parse(files.find((f) => f.path === composeFileOf(stack))?.content ?? '') ?? {}) as { services?: Record<string, { depends_on?: unknown }> };
  const services = doc.services ?? {};
  const deps = (name: string): string[] => {
    const d = services[name]?.depends_on;
    return Array.isArray(d) ? (d as string[]) : d && typeof d === 'object' ? Object.keys(d) : [];
  };
  const order: string[] = [];
  const visit = (name: string, seen: Set<string>): void => {
    if (order.includes(name) || seen.has(name) || !(name in services)) return;
    seen.add(name);
    for (const d of deps(name)) visit(d, seen);
    order.push(name);
  };
  for (const name of Object.keys(services).sort()) visit(name, new Set());
  return order;
}

/** A sortable release id: UTC time to the millisecond plus the content hash's start. */
export function releaseId(now: Date, hash: string): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('.', '')}-${hash.slice(0, 8)}`;
}

/** True when a service block names a file or a directory above it (`./initdb:/docker-entrypoint-initdb.d`). */
function mentions(block: string, file: string): boolean {
  if (block.includes(file)) return true;
  const parts = file.split('/');
  for (let i = 1; i < parts.length; i++) if (block.includes(`./${parts.slice(0, i).join('/')}:`)) return true;
  return false;
}

/** Seconds in a compose duration (`1m30s`, `10s`, `900s`, `1.5s`). */
export function durationSeconds(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return 0;
  let total = 0;
  for (const m of value.matchAll(/([\d.]+)(h|ms|m|s|us|ns)/g)) total += Number(m[1]) * ({ h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 } as Record<string, number>)[m[2]!]!;
  return total;
}

/**
 * How long each service's healthcheck may legitimately take to pass: start period plus every retry
 * (docker's defaults: 30 s interval and timeout, 3 retries). vLLM loading a model takes minutes.
 */
export function healthBudgetSeconds(stack: RenderedStack, files: readonly ReleaseFile[]): Record<string, number> {
  const doc = (parse(files.find((f) => f.path === composeFileOf(stack))?.content ?? '') ?? {}) as { services?: Record<string, { healthcheck?: Record<string, unknown> }> };
  const out: Record<string, number> = {};
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    const h = svc.healthcheck;
    if (!h || h.disable) continue;
    const interval = durationSeconds(h.interval ?? '30s');
    const timeout = durationSeconds(h.timeout ?? '30s');
    const retries = typeof h.retries === 'number' ? h.retries : 3;
    out[name] = Math.ceil(durationSeconds(h.start_period ?? '0s') + (interval + timeout) * (retries + 1));
  }
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
