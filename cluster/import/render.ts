/**
 * The spec text `import` writes: the adopted guests (and the networks and GPUs they need) as YAML,
 * each guest preceded by comments on what the model cannot express and what the first apply would
 * change — either as a fragment to paste, or merged into an existing YAML spec (its comments and
 * layout kept).
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { GpuSpec } from '../../model';
import type { ImportPlan } from './plan';
import type { ImportedGuest } from './translate';

function comment(lines: readonly string[]): string {
  return lines.map((l) => ` ${l}`).join('\n');
}

/** The comment block above a guest: where it comes from, what is not expressible, what changes. */
export function guestComment(g: ImportedGuest): string[] {
  const lines = [
    `${g.clusterName}: ${g.kind === 'vm' ? 'VM' : 'container'} ${g.vmid} on ${g.node}, adopted (the first apply imports ${g.node}/${g.vmid} instead of creating it).`,
  ];
  if (g.notes.length) lines.push('Not expressible in the model:', ...g.notes.map((n) => `  - ${n}`));
  if (g.changes.length) lines.push('The first apply changes:', ...g.changes.map((c) => `  - ${c.attribute}: ${c.from} → ${c.to}`));
  return lines;
}

function guestNode(doc: Document, g: ImportedGuest): YAMLMap {
  const node = doc.createNode(g.spec) as YAMLMap;
  node.commentBefore = comment(guestComment(g));
  for (const [key, text] of Object.entries(g.comments)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair?.value) continue;
    // A scalar gets its comment on its line; a list gets it above its key.
    if (isScalar(pair.value)) (pair.value as Node).comment = ` ${text}`;
    else (pair.key as Node).commentBefore = ` ${text}`;
  }
  return node;
}

function gpuNode(doc: Document, gpu: GpuSpec): YAMLMap {
  const { vramGib, ...rest } = gpu;
  const node = doc.createNode(vramGib > 0 ? gpu : rest) as YAMLMap;
  node.commentBefore = comment([
    `${gpu.model} at ${gpu.pciAddress}, passed through to an imported VM${gpu.adopt ? ` (its mapping ${gpu.name} is adopted)` : ' (the apply creates its mapping)'}.`,
    ...(vramGib > 0 ? [] : ['vramGib is required and not known for this card: add it (nvidia-smi --query-gpu=memory.total).']),
  ]);
  return node;
}

/** A fragment with `guests`, and `networks` and node GPUs where the guests need them. */
export function renderImportFragment(plan: ImportPlan): string {
  const doc = new Document({});
  const root = doc.contents as YAMLMap;
  doc.commentBefore = comment([
    `pvestack import ${plan.env.name}: ${plan.guests.length} guest${plan.guests.length === 1 ? '' : 's'} to adopt. Merge into the spec (or run with --write).`,
    ...plan.skipped.map((s) => `skipped ${s.vmid} ${s.name} on ${s.node}: ${s.reason}`),
  ]);
  if (plan.gpus.length) {
    const nodes = [...new Set(plan.gpus.map((g) => g.node))].map((name) => {
      const n = doc.createNode({ name }) as YAMLMap;
      n.set('gpus', doc.createNode([]));
      const seq = n.get('gpus') as YAMLSeq;
      for (const g of plan.gpus.filter((x) => x.node === name)) seq.items.push(gpuNode(doc, g.gpu));
      return n;
    });
    root.set('cluster', doc.createNode({ nodes: [] }));
    const seq = (root.get('cluster') as YAMLMap).get('nodes') as YAMLSeq;
    seq.items.push(...nodes);
    seq.commentBefore = ' merge these GPUs into the nodes of the same name';
  }
  if (plan.networks.length) root.set('networks', doc.createNode(plan.networks));
  root.set('guests', doc.createNode([]));
  (root.get('guests') as YAMLSeq).items.push(...plan.guests.map((g) => guestNode(doc, g)));
  return doc.toString({ lineWidth: 0 });
}

/** The spec text with the plan merged in: guests and networks appended, GPUs added to their nodes. */
export function mergeImport(specText: string, plan: ImportPlan): string {
  const doc = parseDocument(specText);
  const seqAt = (path: string[]): YAMLSeq => {
    let seq = doc.getIn(path);
    if (!isSeq(seq)) {
      doc.setIn(path, doc.createNode([]));
      seq = doc.getIn(path);
    }
    return seq as YAMLSeq;
  };
  for (const { node, gpu } of plan.gpus) {
    const nodes = seqAt(['cluster', 'nodes']);
    const n = nodes.items.find((x) => isMap(x) && x.get('name') === node) as YAMLMap | undefined;
    if (!n) continue;
    if (!isSeq(n.get('gpus', true))) n.set('gpus', doc.createNode([]));
    (n.get('gpus', true) as unknown as YAMLSeq).items.push(gpuNode(doc, gpu));
  }
  if (plan.networks.length) seqAt(['networks']).items.push(...plan.networks.map((n) => doc.createNode(n)));
  seqAt(['guests']).items.push(...plan.guests.map((g) => guestNode(doc, g)));
  return doc.toString({ lineWidth: 0 });
}
