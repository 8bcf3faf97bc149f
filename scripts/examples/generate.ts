/**
 * `npm run examples:generate`: writes one commented YAML file per reference architecture into
 * docs/examples/, from the registered TypeScript environment itself, so an example can never
 * drift from what the tests synthesize and check. `test/scripts/examples/generate.test.ts` fails
 * when a committed file is out of date, does not load to the same environment, or fails `check`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import { splitPath } from '../../model/load';
import { registeredSource, registeredSpec } from '../../stacks/registry';
import { EXAMPLES, FIRST_USE_COMMENTS, SECTION_COMMENTS, type CommentTable } from './comments';

export const EXAMPLES_DIR = 'docs/examples';

/** Short collections of plain values read best on one line (`{ sizeGib: 20, datastore: tank }`). */
function flowShortCollections(node: unknown): void {
  if (!isMap(node) && !isSeq(node)) return;
  const children = isMap(node) ? node.items.map((p) => p.value) : node.items;
  children.forEach(flowShortCollections);
  const plain = children.every((c) => isScalar(c) || ((isSeq(c) || isMap(c)) && c.flow));
  if (plain && JSON.stringify(node.toJSON()).length <= 90) node.flow = true;
}

/** Puts comment lines above the value at a spec path (on the key, for a field of an object). */
function comment(doc: Document, specPath: string, lines: readonly string[]): void {
  const parts = splitPath(specPath);
  const last = parts[parts.length - 1]!;
  const parent = parts.length === 1 ? doc.contents : doc.getIn(parts.slice(0, -1), true);
  const text = lines.map((l) => ` ${l}`).join('\n');
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as Node | undefined;
    if (item) item.commentBefore = text;
  }
}

/** Comments the first use of each field in FIRST_USE_COMMENTS, in document order. */
function commentFirstUses(doc: Document): void {
  const done = new Set<string>();
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const lines = FIRST_USE_COMMENTS[key];
      if (!lines || done.has(key) || !isScalar(pair.key) || pair.key.commentBefore) return;
      done.add(key);
      pair.key.commentBefore = lines.map((l) => ` ${l}`).join('\n');
    },
  });
}

/** The YAML of one registered environment, with its header and comments. */
export function renderExample(name: string): string {
  const example = EXAMPLES[name]!;
  const doc = new Document(registeredSpec(name));
  flowShortCollections(doc.contents);
  const comments: CommentTable = { ...SECTION_COMMENTS, ...example.comments };
  for (const [specPath, lines] of Object.entries(comments)) comment(doc, specPath, lines);
  commentFirstUses(doc);
  doc.commentBefore = [
    ' yaml-language-server: $schema=../../schema/environment.schema.json',
    ` ${example.title}: the registered environment "${name}" as YAML, generated from ${registeredSource(name)}.`,
    ...example.header.map((l) => ` ${l}`),
    ' Every field and its default: docs/spec-reference.md. What it creates and what the checks catch: docs/examples.md.',
    ` Try it: pvestack check docs/examples/${name}.yaml (copy it and change name before you synth your own).`,
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Every example file by path relative to the repository root, with its content. */
export function generatedExampleFiles(): Map<string, string> {
  return new Map(Object.keys(EXAMPLES).map((name) => [path.posix.join(EXAMPLES_DIR, `${name}.yaml`), renderExample(name)]));
}

if (require.main === module) {
  const root = path.join(__dirname, '..', '..');
  for (const [file, content] of generatedExampleFiles()) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    process.stdout.write(`wrote ${file}\n`);
  }
}
