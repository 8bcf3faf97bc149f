/** Mermaid flowchart of an environment (renders on GitHub, also inside a PR comment). */
import type { Environment } from '../model';
import { topology, type GraphNode, type Topology } from './topology';

function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;
}

function shape(n: GraphNode): string {
  const l = label(n.label);
  switch (n.kind) {
    case 'pool':
    case 'storage-box':
      return `${n.id}[(${l})]`;
    case 'peer':
      return `${n.id}([${l}])`;
    case 'host':
      return `${n.id}{{${l}}}`;
    default:
      return `${n.id}[${l}]`;
  }
}

/** Renders a topology as a Mermaid `flowchart LR`. */
export function renderMermaidTopology(t: Topology): string {
  const lines = ['flowchart LR'];
  for (const g of t.groups) {
    lines.push(`  subgraph ${g.id}[${label(g.label)}]`);
    for (const n of t.nodes.filter((x) => x.group === g.id)) lines.push(`    ${shape(n)}`);
    lines.push('  end');
  }
  for (const n of t.nodes.filter((x) => !x.group)) lines.push(`  ${shape(n)}`);
  for (const e of t.edges) lines.push(e.kind === 'flow' ? `  ${e.from} -->|${label(e.label)}| ${e.to}` : `  ${e.from} -.->|${label(e.label)}| ${e.to}`);
  return `${lines.join('\n')}\n`;
}

/** Mermaid source for an environment. */
export function renderMermaid(env: Environment): string {
  return renderMermaidTopology(topology(env));
}
