/**
 * The JSON Schema of spec files, produced from the validator's shapes: it accepts every example
 * spec and rejects the malformed ones of the spec-error table. Mistakes that need the rest of the
 * spec to see (cross-references, arithmetic) are the validator's alone; they are listed here by
 * name, and the test also proves the schema does accept them, so the list cannot grow stale.
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentJsonSchema } from '../../../model/validate/json-schema';
import { environmentNames, registeredSpec } from '../../../stacks/registry';
import { mutated, SPEC_ERROR_CASES } from '../../fixtures/spec-error-cases';
import { smallSpec } from '../../fixtures/specs';

// strictRequired off: the per-kind rules require fields declared one level up (if/then).
const validate = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(environmentJsonSchema());
const asJson = (spec: unknown) => JSON.parse(JSON.stringify(spec)) as unknown;
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'specs');

/** Mistakes only the validator sees: they need other parts of the spec, or arithmetic. */
const VALIDATOR_ONLY = new Set([
  'a node that does not exist',
  'a GPU nobody declares',
  'a datastore the node lacks',
  'an undeclared secret',
  'a misspelt secret name',
  'a CIDR with host bits',
  'a transposed guest name in a connection',
  'a VM id range that ends before it starts',
  'an unknown network',
  'vLLM on a guest without a GPU',
  'a content type the storage type cannot hold',
  'a snippet datastore the node lacks',
  'a template datastore the node lacks',
  'a container template on a storage the node lacks',
  'a non-default container template without its URL',
  'an adopted guest without its VM id',
  'an adopted external host',
  'an SSHFS mount of a box without pinned host keys',
  // Mount points: where a disk is mounted depends on its place in the list, the guest's kind and
  // the other mounts, and the . and .. rule is checked in the same place.
  'a data disk mounted at /',
  'a mount point with a .. component',
  'a mountPoint on the root disk',
  'two data disks at one mount point',
  "a container's data disk at another's default /mnt/<name>",
  'a Storage Box mounted where a data disk is',
]);

describe('schema/environment.schema.json', () => {
  it.each(environmentNames({ includeBroken: true }))('accepts the registered environment %s, serialized', (name) => {
    expect(validate(asJson(registeredSpec(name))), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(fs.readdirSync(FIXTURES).filter((f) => /\.ya?ml$/.test(f)))('accepts the YAML fixture %s', (file) => {
    expect(validate(parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts the fixture spec the error table mutates', () => {
    expect(validate(asJson(smallSpec()))).toBe(true);
  });

  it.each(SPEC_ERROR_CASES.filter(([name]) => !VALIDATOR_ONLY.has(name)))('rejects %s', (_name, mutate) => {
    expect(validate(asJson(mutated(mutate)))).toBe(false);
  });

  it.each(SPEC_ERROR_CASES.filter(([name]) => VALIDATOR_ONLY.has(name)))('leaves %s to the validator', (_name, mutate) => {
    expect(validate(asJson(mutated(mutate)))).toBe(true);
  });

  it('names no validator-only case the table does not have', () => {
    const names = new Set(SPEC_ERROR_CASES.map(([name]) => name));
    expect([...VALIDATOR_ONLY].filter((n) => !names.has(n))).toEqual([]);
  });
});
