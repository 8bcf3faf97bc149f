import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIRS = ['bin', 'checks', 'constructs', 'deploy', 'diff', 'graph', 'model', 'pipeline', 'stacks', 'templates', 'ansible-bridge'];

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('typed data is never rendered to YAML and parsed back', () => {
  it('only the spec loader (user-written files) and the diff of two revisions on disk import a YAML parser', () => {
    const parsers = SOURCE_DIRS.flatMap(sources).filter((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const m = /import\s*(?:\*\s*as\s+\w+|\{([^}]*)\})\s*from\s*'yaml'/.exec(text);
      // A module may also load the parser on first use (model/load.ts does, to start faster).
      return (m !== null && (m[1] === undefined || /\bparse(Document|AllDocuments)?\b/.test(m[1]))) || /require\('yaml'\)/.test(text);
    });
    // model/load.ts reads spec files people write; diff/artifacts.ts compares the output two
    // revisions wrote to disk. The deployer, --dry-run, up/down and the Pulumi program read the
    // renderers' typed stack (RenderedService.definition) instead.
    expect(parsers.sort()).toEqual(['diff/artifacts.ts', 'model/load.ts']);
  });

  /** Everything that consumes rendered stacks: the deployer, --dry-run, the Pulumi program, up/down, lock. */
  const consumers = [...sources('deploy'), 'bin/commands/deploy.ts', 'bin/commands/up.ts', 'bin/commands/down.ts', 'bin/commands/lock.ts'];
  it.each(consumers)("%s reads the renderers' typed stack, not their YAML (it loads no YAML library)", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    expect(text).not.toMatch(/from\s+'yaml'|require\('yaml'\)/);
  });
});
