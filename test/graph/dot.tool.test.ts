import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderDot } from '../../graph/dot';
import { nodeId } from '../../graph/topology';
import { reachability } from '../../model';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

const hasDot = spawnSync('dot', ['-V']).status === 0;
if (!hasDot) console.warn('\n⚠ SKIPPED test/graph/dot.tool.test.ts: Graphviz `dot` is not installed (apt-get install graphviz); CI installs it.\n');

describe('renderDot', () => {
  it('has one edge per allowed flow', () => {
    const env = loadEnvironment('production');
    const edges = renderDot(env)
      .split('\n')
      .filter((l) => / -> /.test(l) && !l.includes('style=dashed'));
    expect(edges).toHaveLength(reachability(env).length);
  });
});

(hasDot ? describe : describe.skip)('dot -Tsvg (Graphviz)', () => {
  it.each(environmentNames())('renders %s to SVG', (name) => {
    const env = loadEnvironment(name);
    const r = spawnSync('dot', ['-Tsvg'], { input: renderDot(env), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/<svg[^>]*>/);
    // Graphviz titles each node group with its id; every guest must be drawn.
    for (const g of env.guests) expect(r.stdout).toContain(`<title>${nodeId(g.name)}</title>`);
  });

  it('rejects broken DOT (so the test above means something)', () => {
    expect(spawnSync('dot', ['-Tsvg'], { input: 'digraph { a -> }', encoding: 'utf8' }).status).not.toBe(0);
  });
});
