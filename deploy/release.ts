/**
 * What a release is, computed from the renderers' typed stack without touching a host and without
 * reading back any YAML: its files, a content id, and per service a fingerprint, its dependencies
 * and its health budget. The fingerprint becomes a container label (`io.pvestack.config`), so a
 * deploy can compare what runs with what it means to run.
 *
 * Ids and fingerprints are HMACs keyed with a random per-host key (`<root>/.state/key`, mode 0600):
 * they cover the secret env files (a rotated secret restarts its service), yet a guessed secret
 * cannot be confirmed offline from a release id, a manifest or a container label.
 */
import { createHmac } from 'node:crypto';
import type { RenderedService, RenderedStack } from '../templates/artifacts';
import { renderSecretEnvFile } from '../templates/compose/env-file';
import { secretEnvPath, secretVariables } from '../templates/compose/service';

/** A file the deployer writes into the release directory. */
export interface ReleaseFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
  /** Env file with secret values: masked in output, mode 0600. */
  readonly secret: boolean;
}

/** One service as the deployer rolls it. */
export interface ReleaseService {
  readonly name: string;
  /** Keyed hash of the definition and of every release file it reads; its container carries it as a label. */
  readonly fingerprint: string;
  readonly stateful: boolean;
  /** Services of the same stack that must run (and be healthy) first. */
  readonly dependsOn: readonly string[];
  /** How long its healthcheck may legitimately take to pass, in seconds (0 without one). */
  readonly healthBudgetSeconds: number;
}

/** Everything the planner needs to know about one stack's release. */
export interface StackRelease {
  readonly stack: string;
  /** The spec kind it was rendered from (`postgres`, `nextjs`, ...): where it comes in the start order of its host's stacks. */
  readonly kind?: string;
  /** Compose project name on the host (the stack's name). */
  readonly project: string;
  readonly composeFile: string;
  readonly id: string;
  readonly files: readonly ReleaseFile[];
  /** In start order: every service after the ones it depends on. */
  readonly services: readonly ReleaseService[];
  readonly externalNetworks: readonly string[];
}

/** The manifest stored (mode 0600) in every release directory. */
export interface ReleaseManifest {
  readonly id: string;
  readonly stack: string;
  readonly services: Readonly<Record<string, string>>;
  readonly deployedBy: string;
  readonly commit?: string;
  readonly createdAt: string;
}

/** Every file of the release, secret env files filled from `values`, in a stable order. */
export function releaseFiles(stack: RenderedStack, values: ReadonlyMap<string, string>): ReleaseFile[] {
  const plain = stack.files.map((f) => ({ path: f.path, content: f.content, mode: f.mode ?? 0o644, secret: false }));
  const secret = stack.secretFiles.map((f) => ({ path: f.path, content: renderSecretEnvFile(f, values), mode: 0o600, secret: true }));
  return [...plain, ...secret].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const keyed = (key: string, text: string): string => createHmac('sha256', key).update(text).digest('hex');

/** The release id: a keyed hash of every file (path, mode, content), 16 hex digits. */
export function releaseId(files: readonly ReleaseFile[], key: string): string {
  return keyed(key, JSON.stringify(files.map((f) => [f.path, f.mode, f.content]))).slice(0, 16);
}

/**
 * A service's fingerprint: its typed definition plus the content of every release file it reads
 * (bind-mounted `./` paths and its secret env file), since compose does not see those change.
 */
export function serviceFingerprint(service: RenderedService, files: readonly ReleaseFile[], key: string): string {
  const def = service.definition;
  const mounted = (def.volumes ?? [])
    .map((v) => v.split(':')[0]!)
    .filter((src) => src.startsWith('./'))
    .map((src) => src.slice(2).replace(/\/$/, ''));
  const envFile = secretVariables(def).length > 0 ? secretEnvPath(def.name) : undefined;
  const read = files.filter((f) => f.path === envFile || mounted.some((m) => f.path === m || f.path.startsWith(`${m}/`))).map((f) => [f.path, f.content]);
  return keyed(key, JSON.stringify([stableJson(def), read])).slice(0, 24);
}

/** Service names ordered so that every service comes after the ones it depends on (ties by name). */
export function startOrder(services: readonly RenderedService[]): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order: string[] = [];
  const visit = (name: string, seen: Set<string>): void => {
    if (order.includes(name) || seen.has(name) || !byName.has(name)) return;
    seen.add(name);
    for (const d of byName.get(name)!.definition.dependsOn ?? []) visit(d, seen);
    order.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, new Set());
  return order;
}

/**
 * Start period plus every retry of the healthcheck, with the renderer's defaults
 * (`templates/compose/render-compose.ts`: 15 s interval, 5 s timeout, 5 retries, 10 s start period).
 * vLLM loading a model takes minutes; a fixed deploy timeout would roll it back for nothing.
 */
export function healthBudgetSeconds(service: RenderedService): number {
  const h = service.definition.healthcheck;
  if (!h) return 0;
  return Math.ceil((h.startPeriodSeconds ?? 10) + ((h.intervalSeconds ?? 15) + (h.timeoutSeconds ?? 5)) * ((h.retries ?? 5) + 1));
}

/** The typed release of one stack on one host (`key`: that host's fingerprint key). */
export function stackRelease(stack: RenderedStack, values: ReadonlyMap<string, string>, key: string): StackRelease {
  const files = releaseFiles(stack, values);
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  return {
    stack: stack.name,
    ...(stack.kind ? { kind: stack.kind } : {}),
    project: stack.name,
    composeFile: stack.composeFile,
    id: releaseId(files, key),
    files,
    services: startOrder(stack.services).map((name) => {
      const s = byName.get(name)!;
      return {
        name,
        fingerprint: serviceFingerprint(s, files, key),
        stateful: s.stateful,
        dependsOn: (s.definition.dependsOn ?? []).filter((d) => byName.has(d)),
        healthBudgetSeconds: healthBudgetSeconds(s),
      };
    }),
    externalNetworks: stack.externalNetworks ?? [],
  };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
