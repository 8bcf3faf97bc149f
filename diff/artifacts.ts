/**
 * Application changes per host, from the rendered artifact trees
 * (`artifacts/<guest>/<stack>/<file>` → content): image tags, environment keys (never values),
 * healthchecks, and a masked unified diff of every rendered file that changed. Compose services
 * are compared as the typed facts the writer of the artifacts keeps beside them
 * (`compose-facts.json`), never by parsing the YAML back.
 */
import type { ComposeFacts, ServiceFacts } from '../templates/compose/service-facts';
import { maskLine } from './sensitive';
import type { FileDiff, RenderedFileKind, StackChange } from './types';
import { unifiedDiff } from './unified';
import { canonical } from './values';

/** A rendered artifact tree: path relative to `artifacts/` → file content. */
export type ArtifactTree = ReadonlyMap<string, string>;

interface Located {
  readonly guest: string;
  readonly stack: string;
  readonly file: string;
}

function locate(relPath: string): Located {
  const parts = relPath.split('/');
  if (parts.length >= 3) return { guest: parts[0]!, stack: parts[1]!, file: parts.slice(2).join('/') };
  if (parts.length === 2) return { guest: parts[0]!, stack: '(host)', file: parts[1]! };
  return { guest: '(environment)', stack: '(files)', file: relPath };
}

/** What a rendered file is, from its name (and the `#cloud-config` header). */
export function fileKind(path: string, content = ''): RenderedFileKind {
  const base = path.split('/').pop() ?? path;
  if (/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(base)) return 'compose';
  if (/^nginx\.conf$/.test(base) || (/(^|\/)nginx\//.test(path) && base.endsWith('.conf'))) return 'nginx';
  if (/^(postgresql|pg_hba|pg_ident)(\.[\w-]+)?\.conf$/.test(base)) return 'postgresql';
  if (/cloud-init|user-data|vendor-data|cloud-config/.test(base) || content.startsWith('#cloud-config')) return 'cloud-init';
  if (/(^|\.)env(\.example|\.template)?$/.test(base)) return 'env';
  if (/\.(service|mount|automount|timer|socket)$/.test(base)) return 'systemd';
  return 'other';
}

/** `# VAR <- secret "name" (ENV)`: how an env file template documents where a value comes from. */
const MAPPING_COMMENT = /^#\s*([A-Za-z_][A-Za-z0-9_]*)\s*<-\s*(.*)$/;

/** Entries of an env file (`KEY=value`), plus the source of each documented in a mapping comment. */
function envFileEntries(content: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of content.split('\n').map((l) => l.trim())) {
    const mapping = MAPPING_COMMENT.exec(line);
    if (mapping) entries.set(mapping[1]!, `${entries.get(mapping[1]!) ?? ''}<-${mapping[2]}`);
    else if (line && !line.startsWith('#') && line.includes('=')) {
      const key = line.slice(0, line.indexOf('=')).replace(/^export\s+/, '');
      entries.set(key, `${line.slice(line.indexOf('=') + 1)}${entries.get(key) ?? ''}`);
    }
  }
  return entries;
}

/** Env file lines keep their keys and lose their values and value sources. */
function maskEnvLine(line: string): string {
  const mapping = MAPPING_COMMENT.exec(line.trim());
  if (mapping) return `# ${mapping[1]} <- (masked)`;
  const i = line.indexOf('=');
  return i > 0 && !line.trimStart().startsWith('#') ? `${line.slice(0, i + 1)}(masked)` : line;
}

interface Accumulator {
  images: StackChange['images'][number][];
  envAdded: Set<string>;
  envRemoved: Set<string>;
  envChanged: Set<string>;
  healthchecks: StackChange['healthchecks'][number][];
  files: FileDiff[];
}

/** Both revisions' facts of the compose services; a side without them (an older revision) is not compared. */
export interface FactSides {
  readonly base?: ComposeFacts;
  readonly head?: ComposeFacts;
}

/** Compares the services of one compose file; `undefined` facts: that revision has the file but no facts for it. */
function compareCompose(
  before: Readonly<Record<string, ServiceFacts>> | undefined,
  after: Readonly<Record<string, ServiceFacts>> | undefined,
  acc: Accumulator,
): void {
  if (!before || !after) return;
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const sb = before[name];
    const sa = after[name];
    if (sb?.image !== sa?.image) acc.images.push({ service: name, ...(sb?.image ? { before: sb.image } : {}), ...(sa?.image ? { after: sa.image } : {}) });
    compareEnv(new Map(Object.entries(sb?.environment ?? {})), new Map(Object.entries(sa?.environment ?? {})), acc, `${name}.`);
    const hb = sb?.healthcheck ? canonical(sb.healthcheck) : undefined;
    const ha = sa?.healthcheck ? canonical(sa.healthcheck) : undefined;
    if (hb !== ha) acc.healthchecks.push({ service: name, change: !hb ? 'added' : !ha ? 'removed' : 'changed' });
  }
}

/** A side's facts of one compose file: none when the file is absent there, undefined when the revision kept no facts. */
function factsOf(tree: ArtifactTree, facts: ComposeFacts | undefined, rel: string): Readonly<Record<string, ServiceFacts>> | undefined {
  if (!tree.has(rel)) return {};
  return facts ? (facts[rel] ?? {}) : undefined;
}

function compareEnv(b: ReadonlyMap<string, string>, a: ReadonlyMap<string, string>, acc: Accumulator, prefix: string): void {
  for (const k of a.keys()) if (!b.has(k)) acc.envAdded.add(prefix + k);
  for (const k of b.keys()) if (!a.has(k)) acc.envRemoved.add(prefix + k);
  for (const [k, v] of a) if (b.has(k) && b.get(k) !== v) acc.envChanged.add(prefix + k);
}

/** Stack-level application changes between two artifact trees, sorted by guest and stack. */
export function diffArtifacts(base: ArtifactTree, head: ArtifactTree, facts: FactSides = {}): StackChange[] {
  const groups = new Map<string, { guest: string; stack: string; paths: Set<string> }>();
  for (const rel of [...base.keys(), ...head.keys()]) {
    const loc = locate(rel);
    const key = `${loc.guest}/${loc.stack}`;
    if (!groups.has(key)) groups.set(key, { guest: loc.guest, stack: loc.stack, paths: new Set() });
    groups.get(key)!.paths.add(rel);
  }
  const result: StackChange[] = [];
  for (const [, g] of [...groups.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const acc: Accumulator = { images: [], envAdded: new Set(), envRemoved: new Set(), envChanged: new Set(), healthchecks: [], files: [] };
    const inBase = [...g.paths].some((p) => base.has(p));
    const inHead = [...g.paths].some((p) => head.has(p));
    for (const rel of [...g.paths].sort()) {
      const before = base.get(rel);
      const after = head.get(rel);
      if (before === after) continue;
      const file = locate(rel).file;
      const kind = fileKind(file, after ?? before ?? '');
      if (kind === 'compose') compareCompose(factsOf(base, facts.base, rel), factsOf(head, facts.head, rel), acc);
      if (kind === 'env') compareEnv(envFileEntries(before ?? ''), envFileEntries(after ?? ''), acc, `${file}:`);
      const mask = kind === 'env' ? maskEnvLine : maskLine;
      acc.files.push({
        path: file,
        kind,
        status: before === undefined ? 'added' : after === undefined ? 'removed' : 'modified',
        unified: unifiedDiff(before ?? '', after ?? '', { from: `base/${rel}`, to: `head/${rel}`, mask }),
      });
    }
    if (acc.files.length === 0) continue;
    result.push({
      guest: g.guest,
      stack: g.stack,
      status: !inBase ? 'added' : !inHead ? 'removed' : 'modified',
      images: acc.images,
      envAdded: [...acc.envAdded].sort(),
      envRemoved: [...acc.envRemoved].sort(),
      envChanged: [...acc.envChanged].sort(),
      healthchecks: acc.healthchecks,
      files: acc.files,
    });
  }
  return result;
}
