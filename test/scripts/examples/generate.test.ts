import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../checks';
import { parseEnvironmentYaml } from '../../../model';
import { EXAMPLES } from '../../../scripts/examples/comments';
import { generatedExampleFiles } from '../../../scripts/examples/generate';
import { loadEnvironment } from '../../../stacks/registry';

const ROOT = path.resolve(__dirname, '../../..');
const files = [...generatedExampleFiles()];

describe('docs/examples: one commented YAML file per reference architecture', () => {
  it('covers the four reference architectures', () => {
    expect(files.map(([file]) => file)).toEqual([
      'docs/examples/production.yaml',
      'docs/examples/lab.yaml',
      'docs/examples/chat.yaml',
      'docs/examples/quiz.yaml',
    ]);
  });

  it.each(files)('%s is up to date (npm run examples:generate)', (file, content) => {
    expect(fs.readFileSync(path.join(ROOT, file), 'utf8')).toBe(content);
  });

  it.each(files)('%s loads to the registered environment itself and passes check', (file) => {
    const name = path.basename(file, '.yaml');
    const fromYaml = parseEnvironmentYaml(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
    expect({ ...fromYaml, source: '' }).toEqual({ ...loadEnvironment(name), source: '' });
    const report = runChecks(fromYaml);
    expect(report.findings.filter((f) => f.severity === 'error' && !f.suppressed)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it.each(files)('%s explains itself: schema modeline, what it is, where the reference is', (file, content) => {
    const name = path.basename(file, '.yaml');
    const lines = content.split('\n');
    expect(lines[0]).toBe('# yaml-language-server: $schema=../../schema/environment.schema.json');
    expect(lines[1]).toContain(EXAMPLES[name]!.title);
    expect(content).toContain('# Every field and its default: docs/spec-reference.md.');
    expect(fs.existsSync(path.join(ROOT, 'schema', 'environment.schema.json'))).toBe(true);
    for (const section of ['cluster', 'networks', 'admin', 'guests', 'connections', 'secrets']) expect(content).toMatch(new RegExp(`# .+\\n${section}:`));
  });

  it('comments the fields a newcomer had to guess where they first appear', () => {
    const all = files.map(([, c]) => c).join('\n');
    expect(all).toMatch(/# Storages of the node by Proxmox id.*\n.*\n\s+datastores:/);
    expect(all).toMatch(/# Base backups on schedule .*\n.*\n\s+backup:/);
    expect(all).toMatch(/# An accepted check finding.*\n\s+suppressions:/);
  });
});
