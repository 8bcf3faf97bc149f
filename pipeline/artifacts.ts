/**
 * Writes rendered stacks to disk (the only non-pure step of rendering): `pvestack render` and
 * `pvestack synth` put them under `<out>/stacks/<env>/artifacts/<guest>/<stack>/`, which is what
 * reviewers read in a PR and what the deployer ships. Secret env files are never written here,
 * only their `.env.example` templates. Beside them, `<out>/stacks/<env>/compose-facts.json` keeps
 * the typed facts of every compose service (image, environment, healthcheck), so `pvestack diff`
 * compares two revisions from the typed model instead of parsing the YAML rendered from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import { renderCloudInit } from '../templates/cloud-init';
import { type ComposeFacts, serviceFacts } from '../templates/compose/service-facts';
import { renderEnvironment, RenderOptions } from '../templates/render';
import { claimOutputDirs } from './output-owner';
import type { PreparedEnvironments } from './prepare';

export function artifactsDir(outdir: string, envName: string): string {
  return path.join(outdir, 'stacks', envName, 'artifacts');
}

/** Where the typed facts of an environment's compose services are written (see the module comment). */
export function composeFactsFile(outdir: string, envName: string): string {
  return path.join(outdir, 'stacks', envName, 'compose-facts.json');
}

/**
 * Replaces `dir` with the stack's files (so a file the spec no longer renders disappears) and
 * returns the paths written.
 */
export function writeStackFiles(dir: string, stack: RenderedStack): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  return stack.files.map((f) => {
    const file = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { mode: f.mode ?? 0o644 });
    return file;
  });
}

export interface WrittenArtifacts {
  readonly env: string;
  readonly dir: string;
  readonly stacks: { readonly guest: string; readonly stack: string; readonly dir: string; readonly files: string[] }[];
}

/**
 * Renders every guest of `env` and writes its stacks under the environment's artifacts directory.
 * Entry points reach this through `synthesizeApp` or `renderArtifacts`, after the checks.
 */
export function writeArtifacts(outdir: string, env: Environment, options: RenderOptions = {}): WrittenArtifacts {
  const dir = artifactsDir(path.resolve(outdir), env.name);
  const files = new Map<string, { content: string; mode: number }>();
  const stacks: WrittenArtifacts['stacks'] = [];
  const facts: Record<string, ComposeFacts[string]> = {};
  for (const [guest, rendered] of renderEnvironment(env, options)) {
    for (const stack of rendered) {
      const stackDir = path.join(dir, guest, stack.name);
      facts[[guest, stack.name, stack.composeFile].join('/')] = serviceFacts(stack);
      for (const f of stack.files) files.set(path.join(guest, stack.name, f.path), { content: f.content, mode: f.mode ?? 0o644 });
      stacks.push({ guest, stack: stack.name, dir: stackDir, files: stack.files.map((f) => path.join(stackDir, f.path)) });
    }
  }
  // The VM's cloud-init user-data travels inside cdk.tf.json (a snippet's source_raw); a copy here
  // makes it readable and diffable in a PR like every other rendered file.
  for (const guest of env.guests.filter((g) => g.kind === 'vm'))
    files.set(path.join(guest.name, 'cloud-init', 'user-data.yaml'), { content: renderCloudInit(env, guest), mode: 0o644 });
  // The whole tree is the spec's: a renamed or removed guest or stack leaves nothing behind that a
  // reviewer could read or a deploy could ship.
  syncTree(dir, files);
  writeIfChanged(composeFactsFile(path.resolve(outdir), env.name), `${JSON.stringify(facts, null, 2)}\n`);
  return { env: env.name, dir, stacks };
}

/**
 * Makes `dir` hold exactly `files` (paths relative to it): files whose bytes and mode are already
 * right stay untouched, others are written, everything else is removed. Re-synthesizing a large
 * environment then costs a read per file instead of deleting and recreating thousands of them.
 */
function syncTree(dir: string, files: ReadonlyMap<string, { content: string; mode: number }>): void {
  const umask = process.umask();
  const wantedDirs = new Set<string>();
  for (const rel of files.keys()) for (let d = path.dirname(rel); d !== '.'; d = path.dirname(d)) wantedDirs.add(d);
  const existing = new Map<string, 'file' | 'dir'>();
  if (fs.existsSync(dir)) {
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      existing.set(path.relative(dir, path.join(e.parentPath ?? e.path, e.name)), e.isDirectory() ? 'dir' : 'file');
    }
  }
  // Remove what the spec no longer renders; deepest first, so a directory is empty when it goes.
  for (const [rel, kind] of [...existing].sort(([a], [b]) => b.length - a.length)) {
    const keep = kind === 'dir' ? wantedDirs.has(rel) : files.has(rel);
    if (!keep) fs.rmSync(path.join(dir, rel), { recursive: true, force: true });
  }
  const made = new Set<string>();
  for (const [rel, { content, mode }] of files) {
    const file = path.join(dir, rel);
    if (existing.get(rel) === 'file') {
      const stat = fs.statSync(file);
      if ((stat.mode & 0o777) === (mode & ~umask) && stat.size === Buffer.byteLength(content) && fs.readFileSync(file, 'utf8') === content) continue;
      fs.rmSync(file);
    }
    const parent = path.dirname(file);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.writeFileSync(file, content, { mode });
  }
}

/** Writes `content` unless the file already holds exactly that (a re-synth leaves it untouched). */
function writeIfChanged(file: string, content: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** `pvestack render`: writes the artifacts of every prepared environment. */
export function renderArtifacts(prepared: PreparedEnvironments, outdir: string, options: RenderOptions = {}): WrittenArtifacts[] {
  claimOutputDirs(path.resolve(outdir), prepared.environments);
  return prepared.environments.map((env) => writeArtifacts(outdir, env, options));
}
