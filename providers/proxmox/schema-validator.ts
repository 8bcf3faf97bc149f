/**
 * Offline validation of synthesized Terraform JSON (`cdk.tf.json`) against a provider schema in
 * the `terraform providers schema -json` format. It catches what `terraform validate` would catch
 * from the schema alone — unknown types, attributes and blocks, missing required attributes,
 * wrong types, block counts, computed-only and deprecated attributes — without a terraform binary
 * or registry access. Pure: no fs, env, clock or network; the caller passes both documents in.
 *
 * Type rules follow Terraform's own conversions, so nothing passes here that terraform rejects
 * for type reasons and nothing is rejected that terraform accepts: a number or bool is accepted
 * where a string is expected, a numeric string where a number is, "true"/"false" where a bool is,
 * and any string holding a template (`${...}` or `%{...}`) wherever a value is expected. Object
 * values may leave attributes out (they become null), as the provider's "attributes as blocks" do.
 */
import { editDistance } from '../../model/validate/schema';

/** A cty type as the schema JSON writes it: `"string"`, `["list","string"]`, `["object",{...}]`. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', Readonly<Record<string, CtyType>>, (readonly string[])?]
  | readonly ['tuple', readonly CtyType[]];

export interface SchemaAttribute {
  readonly type?: CtyType;
  readonly nested_type?: SchemaNestedType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly deprecated?: boolean;
  readonly sensitive?: boolean;
}

/** A framework "nested attribute": an attribute whose value is an object or collection of objects. */
export interface SchemaNestedType {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly nesting_mode: 'single' | 'list' | 'set' | 'map';
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
  readonly deprecated?: boolean;
}

export interface SchemaBlockType {
  readonly nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface ProviderSchema {
  readonly provider?: { readonly block: SchemaBlock };
  readonly resource_schemas?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
  readonly data_source_schemas?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

/** The whole `terraform providers schema -json` document. */
export interface ProviderSchemaDocument {
  readonly format_version?: string;
  readonly provider_schemas: Readonly<Record<string, ProviderSchema>>;
}

export type FindingCode =
  | 'unknown-section'
  | 'unknown-resource-type'
  | 'unknown-data-source-type'
  | 'unvalidated-type'
  | 'unknown-provider'
  | 'provider-source-mismatch'
  | 'unknown-attribute'
  | 'unknown-block'
  | 'missing-required'
  | 'wrong-type'
  | 'too-few-blocks'
  | 'too-many-blocks'
  | 'computed-attribute'
  | 'deprecated-attribute'
  | 'deprecated-block'
  | 'deprecated-resource-type';

/** One problem in a synthesized document, pointing at the value (or the missing key) by JSON pointer. */
export interface SchemaFinding {
  readonly severity: 'error' | 'warning';
  readonly code: FindingCode;
  /** RFC 6901 pointer into cdk.tf.json, e.g. `/resource/proxmox_virtual_environment_vm/db_ECC37780/cpu/cores`. */
  readonly pointer: string;
  /** The construct that wrote the resource (cdktf's `//.metadata.path`), or null outside resources. */
  readonly constructPath: string | null;
  readonly message: string;
  readonly hint: string;
}

const SECTIONS = new Set(['//', 'terraform', 'provider', 'resource', 'data', 'module', 'output', 'variable', 'locals', 'moved', 'import', 'check', 'removed']);
const RESOURCE_META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);
const DATA_META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']);
const PROVIDER_META = new Set(['alias', 'version']);
const LIFECYCLE = ['create_before_destroy', 'prevent_destroy', 'ignore_changes', 'replace_triggered_by', 'precondition', 'postcondition'];
/** Resource types served by Terraform itself, not by a provider. */
const BUILTIN_TYPES = new Set(['terraform_data', 'terraform_remote_state']);

interface Walk {
  readonly findings: SchemaFinding[];
  constructPath: string | null;
}

/** An escaped JSON-pointer segment (`~` → `~0`, `/` → `~1`). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

const join = (ptr: string, key: string | number): string => `${ptr}/${pointerSegment(key)}`;

/**
 * Validates a parsed `cdk.tf.json` against the provider schemas it uses.
 * @returns findings in document order; an empty list means the document is valid
 */
export function validateTerraformJson(doc: unknown, schema: ProviderSchemaDocument): SchemaFinding[] {
  const w: Walk = { findings: [], constructPath: null };
  const providers = providersByLocalName(schema);
  if (!isObject(doc)) {
    add(w, 'error', 'wrong-type', '', `the document must be a JSON object, got ${describeValue(doc)}`, 'Pass the cdk.tf.json that cdktf synth wrote.');
    return w.findings;
  }
  for (const key of Object.keys(doc)) {
    if (!SECTIONS.has(key)) add(w, 'error', 'unknown-section', join('', key), `"${key}" is not a Terraform JSON section`, hintFor(key, [...SECTIONS]));
  }
  checkRequiredProviders(w, doc, providers);
  checkProviders(w, doc.provider, providers);
  checkResources(w, doc.resource, '/resource', providers, 'resource');
  checkResources(w, doc.data, '/data', providers, 'data');
  checkOutputs(w, doc.output);
  return w.findings;
}

interface NamedProvider {
  /** `bpg/proxmox` (the registry host dropped). */
  readonly source: string;
  readonly schema: ProviderSchema;
}

function providersByLocalName(schema: ProviderSchemaDocument): Map<string, NamedProvider> {
  const out = new Map<string, NamedProvider>();
  for (const [address, provider] of Object.entries(schema.provider_schemas ?? {})) {
    const parts = address.split('/');
    out.set(parts[parts.length - 1]!, { source: parts.slice(-2).join('/'), schema: provider });
  }
  return out;
}

function checkRequiredProviders(w: Walk, doc: Record<string, unknown>, providers: Map<string, NamedProvider>): void {
  const used = new Set<string>();
  for (const section of ['resource', 'data'] as const) {
    const byType = doc[section];
    if (isObject(byType)) for (const type of Object.keys(byType)) used.add(type.split('_')[0]!);
  }
  if (isObject(doc.provider)) for (const name of Object.keys(doc.provider)) used.add(name);
  const terraform = isObject(doc.terraform) ? doc.terraform : {};
  const required = isObject(terraform.required_providers) ? terraform.required_providers : {};
  for (const [name, provider] of providers) {
    if (!used.has(name)) continue;
    const entry = required[name];
    const ptr = join('/terraform/required_providers', name);
    if (entry === undefined) {
      add(
        w,
        'error',
        'missing-required',
        ptr,
        `provider "${name}" is used but not listed in terraform.required_providers`,
        `Terraform would look for hashicorp/${name}; add { "source": "${provider.source}", "version": "..." }.`,
      );
      continue;
    }
    const source = isObject(entry) ? entry.source : entry;
    if (typeof source === 'string' && source.replace(/^registry\.terraform\.io\//, '').toLowerCase() !== provider.source.toLowerCase())
      add(
        w,
        'error',
        'provider-source-mismatch',
        join(ptr, 'source'),
        `required_providers.${name}.source is "${source}" but the schema is for ${provider.source}`,
        `Set source to "${provider.source}".`,
      );
  }
}

function checkProviders(w: Walk, section: unknown, providers: Map<string, NamedProvider>): void {
  if (section === undefined) return;
  if (!isObject(section))
    return void add(
      w,
      'error',
      'wrong-type',
      '/provider',
      `"provider" must be an object of provider names, got ${describeValue(section)}`,
      'Write { "<name>": [{ ... }] }.',
    );
  for (const [name, configs] of Object.entries(section)) {
    const ptr = join('/provider', name);
    const provider = providers.get(name);
    if (!provider?.schema.provider) {
      add(
        w,
        'warning',
        'unknown-provider',
        ptr,
        `no schema for provider "${name}"; its configuration was not validated`,
        'Add its schema or ignore this warning if the provider is intended.',
      );
      continue;
    }
    eachBlock(w, configs, ptr, `provider ${name}`, (body, p) => checkBody(w, body, provider.schema.provider!.block, p, `provider.${name}`, PROVIDER_META));
  }
}

function checkResources(w: Walk, section: unknown, base: string, providers: Map<string, NamedProvider>, kind: 'resource' | 'data'): void {
  if (section === undefined) return;
  if (!isObject(section))
    return void add(
      w,
      'error',
      'wrong-type',
      base,
      `"${kind}" must be an object of types, got ${describeValue(section)}`,
      'Write { "<type>": { "<name>": { ... } } }.',
    );
  for (const [type, byName] of Object.entries(section)) {
    const typePtr = join(base, type);
    if (!isObject(byName)) {
      add(
        w,
        'error',
        'wrong-type',
        typePtr,
        `${type} must be an object of named ${kind === 'data' ? 'data sources' : 'resources'}, got ${describeValue(byName)}`,
        'Write { "<name>": { ... } }.',
      );
      continue;
    }
    const found = resourceBlock(type, providers, kind);
    if (found.kind === 'builtin') continue;
    if (found.kind === 'unvalidated') {
      add(
        w,
        'warning',
        'unvalidated-type',
        typePtr,
        `no schema for provider "${found.localName}", so ${type} was not validated`,
        'Ignore this warning if the provider is intended.',
      );
      continue;
    }
    for (const [name, body] of Object.entries(byName)) {
      const ptr = join(typePtr, name);
      w.constructPath = metadataPath(body);
      if (found.kind === 'unknown') add(w, 'error', kind === 'data' ? 'unknown-data-source-type' : 'unknown-resource-type', ptr, found.message, found.hint);
      else if (!isObject(body))
        add(w, 'error', 'wrong-type', ptr, `${type}.${name} must be an object, got ${describeValue(body)}`, 'Write the arguments as a JSON object.');
      else {
        if (found.block.deprecated)
          add(
            w,
            'warning',
            'deprecated-resource-type',
            ptr,
            `${kind === 'data' ? 'data source' : 'resource'} type ${type} is deprecated`,
            replacementHint(type, providers, kind),
          );
        checkBody(w, body, found.block, ptr, type, kind === 'data' ? DATA_META : RESOURCE_META);
      }
      w.constructPath = null;
    }
  }
}

type Lookup =
  { kind: 'found'; block: SchemaBlock } | { kind: 'unvalidated'; localName: string } | { kind: 'unknown'; message: string; hint: string } | { kind: 'builtin' };

/** Finds a type's schema; the provider is the type's prefix up to the first `_`, as Terraform infers it. */
function resourceBlock(type: string, providers: Map<string, NamedProvider>, kind: 'resource' | 'data'): Lookup {
  const localName = type.split('_')[0]!;
  const provider = providers.get(localName);
  if (!provider) return BUILTIN_TYPES.has(type) ? { kind: 'builtin' } : { kind: 'unvalidated', localName };
  const schemas = (kind === 'data' ? provider.schema.data_source_schemas : provider.schema.resource_schemas) ?? {};
  const found = schemas[type];
  if (found) return { kind: 'found', block: found.block };
  const names = Object.keys(schemas);
  return {
    kind: 'unknown',
    message: `${provider.source} has no ${kind === 'data' ? 'data source' : 'resource'} type "${type}"`,
    hint: nearMiss(type, names) ?? `Known types: ${listNames(names)}.`,
  };
}

function replacementHint(type: string, providers: Map<string, NamedProvider>, kind: 'resource' | 'data'): string {
  const short = type.replace(/^proxmox_virtual_environment_/, 'proxmox_');
  const provider = providers.get(type.split('_')[0]!);
  const schemas = (kind === 'data' ? provider?.schema.data_source_schemas : provider?.schema.resource_schemas) ?? {};
  if (short !== type && schemas[short]) return `Use ${short} instead: same arguments, and the long name goes away in a future provider release.`;
  return 'See the provider changelog for its replacement.';
}

function checkOutputs(w: Walk, section: unknown): void {
  if (!isObject(section)) return;
  for (const [name, out] of Object.entries(section)) {
    if (isObject(out) && !('value' in out))
      add(w, 'error', 'missing-required', join(join('/output', name), 'value'), `output "${name}" has no value`, 'Give the output a value.');
  }
}

/**
 * Checks one block body: every key is a known attribute, block, meta-argument or `//` comment;
 * required attributes and blocks are present.
 */
function checkBody(w: Walk, body: Record<string, unknown>, block: SchemaBlock, ptr: string, where: string, meta?: ReadonlySet<string>): void {
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  const dynamicBlocks = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (key === '//') continue;
    const p = join(ptr, key);
    if (meta?.has(key)) checkMeta(w, key, value, p, block);
    else if (Object.prototype.hasOwnProperty.call(attributes, key)) checkAttribute(w, value, attributes[key]!, p, `${where}.${key}`);
    else if (Object.prototype.hasOwnProperty.call(blockTypes, key)) checkBlockType(w, value, blockTypes[key]!, p, `${where}.${key}`);
    else if (key === 'dynamic' && isObject(value)) for (const name of checkDynamic(w, value, blockTypes, p, where)) dynamicBlocks.add(name);
    else unknownKey(w, key, value, p, where, block);
  }
  for (const [name, attr] of Object.entries(attributes)) {
    if (attr.required && (body[name] === undefined || body[name] === null))
      add(w, 'error', 'missing-required', join(ptr, name), `${where} is missing the required attribute "${name}"`, `Set ${name} (${describeAttrType(attr)}).`);
  }
  for (const [name, bt] of Object.entries(blockTypes)) {
    if ((bt.min_items ?? 0) > 0 && body[name] === undefined && !dynamicBlocks.has(name))
      add(
        w,
        'error',
        'too-few-blocks',
        join(ptr, name),
        `${where} needs at least ${bt.min_items} "${name}" block${bt.min_items === 1 ? '' : 's'}, got none`,
        `Add a ${name} block.`,
      );
  }
}

function unknownKey(w: Walk, key: string, value: unknown, ptr: string, where: string, block: SchemaBlock): void {
  const names = [...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {})];
  const looksLikeBlock = isObject(value) || (Array.isArray(value) && value.length > 0 && value.every(isObject));
  const what = looksLikeBlock ? 'block' : 'attribute';
  add(w, 'error', looksLikeBlock ? 'unknown-block' : 'unknown-attribute', ptr, `${where} has no ${what} "${key}"`, hintFor(key, names));
}

function checkAttribute(w: Walk, value: unknown, attr: SchemaAttribute, ptr: string, where: string): void {
  if (value === null) return;
  if (attr.computed && !attr.optional && !attr.required) {
    add(
      w,
      'error',
      'computed-attribute',
      ptr,
      `${where} is computed by the provider and cannot be set`,
      'Remove it; read it from the resource after apply instead.',
    );
    return;
  }
  if (attr.deprecated)
    add(
      w,
      'warning',
      'deprecated-attribute',
      ptr,
      `${where} is deprecated`,
      'Move to its replacement before the provider removes it (see the provider changelog).',
    );
  if (attr.nested_type) checkNested(w, value, attr.nested_type, ptr, where);
  else if (attr.type !== undefined) checkType(w, value, attr.type, ptr, where);
}

function checkNested(w: Walk, value: unknown, nested: SchemaNestedType, ptr: string, where: string): void {
  if (isExpression(value)) return;
  const body = { attributes: nested.attributes };
  if (nested.nesting_mode === 'single') {
    if (!isObject(value)) return void wrongType(w, value, 'an object', ptr, where);
    return checkBody(w, value, body, ptr, where);
  }
  if (nested.nesting_mode === 'map') {
    if (!isObject(value)) return void wrongType(w, value, 'a map of objects', ptr, where);
    for (const [k, v] of Object.entries(value)) {
      if (isExpression(v)) continue;
      if (!isObject(v)) wrongType(w, v, 'an object', join(ptr, k), `${where}["${k}"]`);
      else checkBody(w, v, body, join(ptr, k), `${where}["${k}"]`);
    }
    return;
  }
  if (!Array.isArray(value)) return void wrongType(w, value, `a ${nested.nesting_mode} of objects`, ptr, where);
  countItems(w, value.length, nested, ptr, where, 'element');
  value.forEach((v, i) => {
    if (isExpression(v)) return;
    if (!isObject(v)) wrongType(w, v, 'an object', join(ptr, i), `${where}[${i}]`);
    else checkBody(w, v, body, join(ptr, i), `${where}[${i}]`);
  });
}

/** Blocks in Terraform JSON: one object, or an array of objects (one per block). */
function checkBlockType(w: Walk, value: unknown, bt: SchemaBlockType, ptr: string, where: string): void {
  if (value === null) return;
  if (bt.block.deprecated)
    add(
      w,
      'warning',
      'deprecated-block',
      ptr,
      `block ${where} is deprecated`,
      'Move to its replacement before the provider removes it (see the provider changelog).',
    );
  if (bt.nesting_mode === 'map') {
    if (!isObject(value)) return void blockWrongType(w, value, ptr, where, 'an object of labelled blocks');
    for (const [label, v] of Object.entries(value))
      eachBlock(w, v, join(ptr, label), where, (body, p) => checkBody(w, body, bt.block, p, `${where}["${label}"]`));
    return;
  }
  const count = eachBlock(w, value, ptr, where, (body, p) => checkBody(w, body, bt.block, p, where));
  const max = bt.nesting_mode === 'single' || bt.nesting_mode === 'group' ? 1 : bt.max_items;
  countItems(w, count, { min_items: bt.min_items, max_items: max }, ptr, where, 'block');
}

/** Calls `check` for each block body in `value`; returns how many blocks there are. */
function eachBlock(w: Walk, value: unknown, ptr: string, where: string, check: (body: Record<string, unknown>, ptr: string) => void): number {
  if (isObject(value)) {
    check(value, ptr);
    return 1;
  }
  if (!Array.isArray(value)) {
    blockWrongType(w, value, ptr, where, 'an object or a list of objects');
    return 0;
  }
  value.forEach((v, i) => (isObject(v) ? check(v, join(ptr, i)) : blockWrongType(w, v, join(ptr, i), where, 'an object')));
  return value.length;
}

function blockWrongType(w: Walk, value: unknown, ptr: string, where: string, expected: string): void {
  const hint = isExpression(value) ? 'A block cannot be an expression; generate repeated blocks with a "dynamic" block.' : 'Write the block as a JSON object.';
  add(w, 'error', 'wrong-type', ptr, `block ${where} must be ${expected}, got ${describeValue(value)}`, hint);
}

function countItems(w: Walk, count: number, limits: { min_items?: number; max_items?: number }, ptr: string, where: string, what: string): void {
  const { min_items: min, max_items: max } = limits;
  if (max !== undefined && count > max)
    add(
      w,
      'error',
      'too-many-blocks',
      ptr,
      `${where} allows at most ${max} ${what}${max === 1 ? '' : 's'}, got ${count}`,
      max === 1 ? `Merge them into one ${what}.` : `Remove ${count - max}.`,
    );
  if (min !== undefined && count < min)
    add(w, 'error', 'too-few-blocks', ptr, `${where} needs at least ${min} ${what}${min === 1 ? '' : 's'}, got ${count}`, `Add ${min - count}.`);
}

/** `"dynamic": { "<block>": { "for_each": ..., "iterator"?: ..., "content": { ... } } }`. */
function checkDynamic(w: Walk, value: Record<string, unknown>, blockTypes: Readonly<Record<string, SchemaBlockType>>, ptr: string, where: string): string[] {
  const names: string[] = [];
  for (const [name, spec] of Object.entries(value)) {
    const p = join(ptr, name);
    const bt = blockTypes[name];
    if (!bt) {
      add(w, 'error', 'unknown-block', p, `${where} has no block "${name}" to generate dynamically`, hintFor(name, Object.keys(blockTypes)));
      continue;
    }
    names.push(name);
    eachBlock(w, spec, p, `dynamic ${name}`, (body, bp) => {
      if (body.for_each === undefined)
        add(
          w,
          'error',
          'missing-required',
          join(bp, 'for_each'),
          `dynamic block ${where}.${name} has no for_each`,
          'Set for_each to the collection to iterate.',
        );
      if (isObject(body.content)) checkBody(w, body.content, bt.block, join(bp, 'content'), `${where}.${name}`);
    });
  }
  return names;
}

function checkMeta(w: Walk, key: string, value: unknown, ptr: string, block: SchemaBlock): void {
  if (isExpression(value) || value === null) return;
  if (key === 'count' && typeof value !== 'number') wrongType(w, value, 'a number', ptr, 'count');
  if (key === 'depends_on' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) wrongType(w, value, 'a list of strings', ptr, 'depends_on');
  if ((key === 'provider' || key === 'alias' || key === 'version') && typeof value !== 'string') wrongType(w, value, 'a string', ptr, key);
  if (key === 'lifecycle') eachBlock(w, value, ptr, 'lifecycle', (body, p) => checkLifecycle(w, body, p, block));
}

function checkLifecycle(w: Walk, body: Record<string, unknown>, ptr: string, block: SchemaBlock): void {
  const names = [...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {})];
  for (const [key, value] of Object.entries(body)) {
    const p = join(ptr, key);
    if (key === '//' || isExpression(value)) continue;
    if (!LIFECYCLE.includes(key)) add(w, 'error', 'unknown-attribute', p, `lifecycle has no argument "${key}"`, hintFor(key, LIFECYCLE));
    else if ((key === 'create_before_destroy' || key === 'prevent_destroy') && typeof value !== 'boolean') wrongType(w, value, 'a bool', p, `lifecycle.${key}`);
    else if (key === 'ignore_changes' && value !== 'all') {
      if (!Array.isArray(value)) wrongType(w, value, 'a list of attribute names or "all"', p, 'lifecycle.ignore_changes');
      else
        value.forEach((entry, i) => {
          if (typeof entry !== 'string' || isExpression(entry)) return;
          const head = entry.split(/[.[]/)[0]!;
          if (!names.includes(head))
            add(
              w,
              'error',
              'unknown-attribute',
              join(p, i),
              `lifecycle.ignore_changes names "${head}", which is not an argument of this resource`,
              hintFor(head, names),
            );
        });
    }
  }
}

function checkType(w: Walk, value: unknown, type: CtyType, ptr: string, where: string): void {
  if (value === null || isExpression(value) || type === 'dynamic') return;
  if (typeof type === 'string') {
    if (!primitiveFits(value, type)) wrongType(w, value, `a ${type}`, ptr, where);
    return;
  }
  const [kind] = type;
  if (kind === 'list' || kind === 'set') {
    if (!Array.isArray(value)) return void wrongType(w, value, describeType(type), ptr, where);
    value.forEach((v, i) => {
      if (v === null) wrongType(w, v, describeType(type[1]), join(ptr, i), `${where}[${i}]`);
      else checkType(w, v, type[1], join(ptr, i), `${where}[${i}]`);
    });
  } else if (kind === 'map') {
    if (!isObject(value)) return void wrongType(w, value, describeType(type), ptr, where);
    for (const [k, v] of Object.entries(value)) checkType(w, v, type[1], join(ptr, k), `${where}["${k}"]`);
  } else if (kind === 'object') {
    if (!isObject(value)) return void wrongType(w, value, 'an object', ptr, where);
    const attrs = type[1];
    for (const [k, v] of Object.entries(value)) {
      if (k === '//') continue;
      if (!Object.prototype.hasOwnProperty.call(attrs, k))
        add(w, 'error', 'unknown-attribute', join(ptr, k), `${where} has no attribute "${k}"`, hintFor(k, Object.keys(attrs)));
      else checkType(w, v, attrs[k]!, join(ptr, k), `${where}.${k}`);
    }
  } else if (kind === 'tuple') {
    const items = type[1];
    if (!Array.isArray(value) || value.length !== items.length) return void wrongType(w, value, describeType(type), ptr, where);
    value.forEach((v, i) => checkType(w, v, items[i]!, join(ptr, i), `${where}[${i}]`));
  }
}

/** Terraform's safe conversions between primitives (number ↔ numeric string, bool ↔ "true"/"false"). */
function primitiveFits(value: unknown, type: 'string' | 'number' | 'bool'): boolean {
  if (type === 'string') return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (type === 'number')
    return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()));
  return typeof value === 'boolean' || value === 'true' || value === 'false';
}

function wrongType(w: Walk, value: unknown, expected: string, ptr: string, where: string): void {
  add(
    w,
    'error',
    'wrong-type',
    ptr,
    `${where} must be ${expected}, got ${describeValue(value)}`,
    'Give a value of that type, or a Terraform expression "${...}".',
  );
}

/** A JSON string that Terraform evaluates as a template: `${...}` interpolation or `%{...}` directive. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && (value.includes('${') || value.includes('%{'));
}

function describeAttrType(attr: SchemaAttribute): string {
  if (attr.nested_type) return attr.nested_type.nesting_mode === 'single' ? 'an object' : `a ${attr.nested_type.nesting_mode} of objects`;
  return attr.type === undefined ? 'any value' : describeType(attr.type);
}

/** `"string"` → `a string`; `["list","string"]` → `a list of string`. */
export function describeType(type: CtyType): string {
  if (typeof type === 'string') return type === 'dynamic' ? 'any value' : `a ${type}`;
  if (type[0] === 'object') return `an object {${Object.keys(type[1]).join(', ')}}`;
  if (type[0] === 'tuple') return `a tuple of ${type[1].length}`;
  const inner = type[1];
  return `a ${type[0]} of ${typeof inner === 'string' ? inner : describeType(inner).replace(/^an? /, '')}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function add(w: Walk, severity: SchemaFinding['severity'], code: FindingCode, pointer: string, message: string, hint: string): void {
  w.findings.push({ severity, code, pointer, constructPath: w.constructPath, message, hint });
}

function metadataPath(body: unknown): string | null {
  if (!isObject(body) || !isObject(body['//']) || !isObject(body['//'].metadata)) return null;
  const p = body['//'].metadata.path;
  return typeof p === 'string' ? p : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hintFor(key: string, names: readonly string[]): string {
  return nearMiss(key, names) ?? (names.length ? `Known: ${listNames(names)}.` : 'This block takes no arguments.');
}

function listNames(names: readonly string[]): string {
  const sorted = [...names].sort();
  return sorted.length > 15 ? `${sorted.slice(0, 15).join(', ')}, ... (${sorted.length - 15} more)` : sorted.join(', ');
}

/** "Did you mean ...?" when a known name is within two edits (or one name contains the other). */
function nearMiss(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    // Names more than two characters apart in length cannot be within two edits.
    if (Math.abs(key.length - name.length) > 2) continue;
    const d = editDistance(key, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best === undefined ? undefined : `Did you mean "${best}"?`;
}
