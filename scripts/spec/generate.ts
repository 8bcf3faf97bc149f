/**
 * `npm run spec:generate`: writes `schema/environment.schema.json` and `docs/spec-reference.md`
 * from the validator's shapes and `model/spec.ts`. `test/scripts/spec/generate.test.ts` fails
 * when the committed files are out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentJsonSchema, SPEC_SCHEMA_FILE } from '../../model/validate/json-schema';
import { renderSpecReference } from './reference';

export const SPEC_REFERENCE_FILE = 'docs/spec-reference.md';

/** The generated files by path relative to the repository root, with their content. */
export function generatedSpecFiles(): Map<string, string> {
  const schema = environmentJsonSchema();
  return new Map([
    [SPEC_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`],
    [SPEC_REFERENCE_FILE, renderSpecReference(schema)],
  ]);
}

if (require.main === module) {
  const root = path.join(__dirname, '..', '..');
  for (const [file, content] of generatedSpecFiles()) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    process.stdout.write(`wrote ${file}\n`);
  }
}
