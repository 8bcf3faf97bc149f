/**
 * The JSON Schema of environment spec files, produced from the same shapes that validate specs at
 * runtime (`shapes.ts`), so the two cannot disagree. `npm run spec:generate` writes it to
 * `schema/environment.schema.json`; a YAML spec opts in with
 * `# yaml-language-server: $schema=<path or URL>/environment.schema.json`.
 */
import { jsonSchemaOf, type JsonSchema } from './schema';
import { environmentShape } from './shapes';

/** Where the committed schema is published, relative to the repository root. */
export const SPEC_SCHEMA_FILE = 'schema/environment.schema.json';

/** The whole document: draft-07, which the YAML language server and ajv both read. */
export function environmentJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://pvestack.dev/schema/environment.schema.json',
    title: 'pvestack environment',
    description:
      "An environment spec: Proxmox cluster, networks, admin access, guests and their application stacks. Cross-references (a guest's node exists, a secret is declared, a GPU is given once) are checked by `pvestack check`/`synth`, not by this schema.",
    ...jsonSchemaOf(environmentShape),
  };
}
