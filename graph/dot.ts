/** Graphviz DOT of an environment; `dot -Tsvg` turns it into the SVG `pvestack graph --format svg` prints. */
import type { Environment } from '../model';
import { topology, type GraphNode, type Topology } from './topology';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const SHAPES: Readonly<Record<GraphNode['kind'], string>> = { host: 'hexagon', guest: 'box', pool: 'cylinder', 'storage-box': 'cylinder', peer: 'ellipse' };

function node(n: GraphNode): string {
  return `${n.id} [label=${quote(n.label)}, shape=${SHAPES[n.kind]}${n.kind === 'peer' ? ', style=dashed' : ''}];`;
}

/** Renders a topology as a DOT digraph with one cluster per Proxmox node. */
export function renderDotTopology(t: Topology): string {
  const lines = [`digraph ${quote(t.title)} {`, '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const g of t.groups) {
    lines.push(`  subgraph cluster_${g.id} {`, `    label=${quote(g.label)};`, '    style=rounded;');
    for (const n of t.nodes.filter((x) => x.group === g.id)) lines.push(`    ${node(n)}`);
    lines.push('  }');
  }
  for (const n of t.nodes.filter((x) => !x.group)) lines.push(`  ${node(n)}`);
  for (const e of t.edges) lines.push(`  ${e.from} -> ${e.to} [label=${quote(e.label)}${e.kind === 'storage' ? ', style=dashed' : ''}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** DOT source for an environment. */
export function renderDot(env: Environment): string {
  return renderDotTopology(topology(env));
}
