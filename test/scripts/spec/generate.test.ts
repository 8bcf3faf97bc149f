import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentJsonSchema } from '../../../model/validate/json-schema';
import { generatedSpecFiles } from '../../../scripts/spec/generate';
import { specSections } from '../../../scripts/spec/reference';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('generated spec files', () => {
  it.each([...generatedSpecFiles()])('%s is up to date (run npm run spec:generate)', (file, content) => {
    expect(fs.readFileSync(path.join(ROOT, file), 'utf8')).toBe(content);
  });

  it('the reference documents every field with its description and default from model/spec.ts', () => {
    const sections = new Map(specSections(environmentJsonSchema()).map((s) => [s.path, s]));
    const vllm = sections.get('guests[].stacks[] (kind: vllm)')!;
    expect(vllm.fields.find((f) => f.name === 'dtype')).toMatchObject({
      required: false,
      default: "'auto'",
      constraints: 'one of `auto`, `bfloat16`, `float16`, `float32`',
    });
    expect(sections.get('guests[]')!.fields.find((f) => f.name === 'role')).toMatchObject({ required: true });
    expect([...sections.keys()]).toEqual(
      expect.arrayContaining(['(root)', 'cluster.nodes[].gpus[]', 'secrets.<name>', 'backend (type: s3)', 'guests[].stacks[] (kind: compose).services[]']),
    );
  });

  it('refuses to document a spec whose types and validator name different fields', () => {
    const schema = structuredClone(environmentJsonSchema()) as { properties: { guests: { items: { properties: Record<string, unknown> } } } };
    delete schema.properties.guests.items.properties.hostGpus;
    schema.properties.guests.items.properties.memoryGb = { type: 'number' };
    expect(() => specSections(schema)).toThrow(
      /guests\[\]\.memoryGb: in the validator's shape but not in model\/spec\.ts[\s\S]*guests\[\]\.hostGpus: in model\/spec\.ts but not in the validator's shape/,
    );
  });
});
