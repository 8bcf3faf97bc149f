import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runChecks } from '../../checks';
import { parseEnvironmentYaml, validateEnvironment } from '../../model';
import { renderTypeScript, renderYaml, toPlain } from '../../scaffold/document';
import { scaffoldEnvironment, scaffoldProblems, type ScaffoldOptions } from '../../scaffold/environment';
import { importSpecifier, renderScaffold, schemaReference } from '../../scaffold/init';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G ops@example.org';
const base: ScaffoldOptions = { name: 'lab', nodes: 1, gpus: 0, stacks: ['web', 'postgres'], sshKey: KEY };

describe('pvestack init: the scaffolded environment', () => {
  it.each<[string, Partial<ScaffoldOptions>]>([
    ['web and PostgreSQL on one node', {}],
    ['everything on three nodes with a GPU', { nodes: 3, gpus: 1, stacks: ['web', 'postgres', 'redis', 'vllm'] }],
    ['vLLM alone on two 48 GiB cards', { gpus: 2, gpuVramGib: 48, gpuModel: 'NVIDIA L40S', stacks: ['vllm'], model: 'Qwen/Qwen2.5-7B-Instruct' }],
    ['another network and admin range', { cidr: '172.16.8.0/24', adminCidr: '198.51.100.0/24', domain: 'chat.example.com', stacks: ['web', 'redis'] }],
  ])('%s: valid, and passes every check as written', (_name, extra) => {
    const options = { ...base, ...extra };
    expect(scaffoldProblems(options)).toEqual([]);
    const { text, spec } = renderScaffold({ ...options, format: 'yaml' });
    // The YAML says exactly what the tree holds, and the loader reads it like any spec file.
    expect(parse(text)).toEqual(spec);
    const report = runChecks(parseEnvironmentYaml(text, 'envs/lab.yaml'));
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('teaches the next fields in comments, and marks hardware ids as placeholders', () => {
    const { text } = renderScaffold({ ...base, gpus: 1, stacks: ['web', 'postgres', 'vllm'], format: 'yaml' });
    for (const hint of [
      '# vmIdRange:',
      '# vmId: 120',
      'capacityGib',
      '# bastion:',
      '# checks: { suppressions:',
      '# quantization: awq',
      'replicas: 2',
      'huggingface-cli download',
      '`pvestack discover --node <node>`',
      'docs/spec-reference.md',
    ])
      expect(text).toContain(hint);
  });

  it('writes the same values as TypeScript, importing defineEnvironment', () => {
    const doc = scaffoldEnvironment({ ...base, stacks: ['web', 'postgres', 'redis'] });
    const ts = renderTypeScript(doc, ['header'], 'pvestack');
    expect(ts.split('\n').slice(0, 4)).toEqual(['// header', "import { defineEnvironment } from 'pvestack';", '', 'export default defineEnvironment({']);
    expect(ts.endsWith('});\n')).toBe(true);
    expect(ts).toContain("      name: 'pve1',");
    expect(ts).toContain('  // Secrets by name: the value comes from the environment variable at deploy time, never from this file.');
    // The YAML of the same tree validates; both renderers walk the same entries.
    expect(() => validateEnvironment(toPlain(doc), 'lab')).not.toThrow();
    expect(renderYaml(doc, ['header']).match(/^\s*#/gm)!.length).toBe(ts.match(/^\s*\/\//gm)!.length);
  });

  it('says which flags cannot be laid out', () => {
    expect(scaffoldProblems({ ...base, stacks: ['vllm'] })).toEqual(['the vllm stack needs a GPU: add --gpus 1 (or leave vllm out of --stacks)']);
    expect(scaffoldProblems({ ...base, nodes: 0, cidr: '10.0.0.5/24' })).toEqual([
      '--nodes must be a whole number from 1 to 9 (got 0)',
      '--cidr must be a network such as 10.20.0.0/24 (got "10.0.0.5/24")',
    ]);
  });

  it('imports the model by path inside this repository and from the pvestack package elsewhere', () => {
    const root = path.resolve(__dirname, '../..');
    expect(importSpecifier(path.join(root, 'stacks', 'mine.ts'), root)).toBe('../model');
    expect(importSpecifier(path.join(root, 'envs', 'team', 'mine.ts'), root)).toBe('../../model');
    expect(importSpecifier('/srv/infra/envs/mine.ts', root)).toBe('pvestack');
  });

  it('points the YAML language server at the spec schema', () => {
    const root = path.resolve(__dirname, '../..');
    expect(schemaReference(path.join(root, 'envs', 'mine.yaml'), root)).toBe('../schema/environment.schema.json');
    const { text } = renderScaffold({ ...base, format: 'yaml' }, 'pvestack', 'envs/lab.yaml', '../schema/environment.schema.json');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/environment.schema.json');
  });
});
