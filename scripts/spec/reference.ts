/**
 * The generated field reference of spec files (`docs/spec-reference.md`). Descriptions and
 * defaults come from the JSDoc of the TypeScript types in `model/spec.ts`; types, required flags
 * and constraints come from the JSON Schema the runtime validator produces. Walking both at once
 * also proves they name the same fields: a field in one and not the other throws, so the types and
 * the validator cannot drift apart without `npm test` failing.
 */
import * as path from 'node:path';
import ts from 'typescript';
import type { JsonSchema } from '../../model/validate/schema';

type Schema = JsonSchema & {
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  allOf?: { if: { properties: Record<string, { const: string }> }; then: Schema }[];
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
};

/** One field of one section. */
export interface FieldRow {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: string;
  readonly constraints: string;
  readonly description: string;
}

/** A table: one object of the spec (`guests[]`, `guests[].stacks[] (kind: vllm)`). */
export interface Section {
  readonly path: string;
  readonly type: string;
  readonly fields: FieldRow[];
}

const SPEC_FILE = path.join(__dirname, '..', '..', 'model', 'spec.ts');

/** Walks `EnvironmentSpec` and the schema together; throws when they disagree on a field name. */
export function specSections(schema: JsonSchema): Section[] {
  const program = ts.createProgram([SPEC_FILE], { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SPEC_FILE)!;
  const root = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'EnvironmentSpec')!;
  const sections: Section[] = [];
  const problems: string[] = [];
  const fromSpec = (t: ts.Type) => (t.aliasSymbol ?? t.getSymbol())?.declarations?.some((d) => d.getSourceFile() === source) ?? false;

  const visit = (type: ts.Type, node: Schema, at: string, typeName: string): void => {
    const fields: FieldRow[] = [];
    // Pushed before its children, so sections read in the order a spec is written.
    sections.push({ path: at.replace(/^\(root\)\.?/, '') || '(root)', type: typeName, fields });
    const props = checker.getPropertiesOfType(type);
    const schemaProps = node.properties ?? {};
    for (const name of Object.keys(schemaProps))
      if (!props.some((p) => p.name === name)) problems.push(`${at}.${name}: in the validator's shape but not in model/spec.ts`);
    for (const prop of props) {
      const field = schemaProps[prop.name];
      if (!field) {
        problems.push(`${at}.${prop.name}: in model/spec.ts but not in the validator's shape`);
        continue;
      }
      const decl = prop.valueDeclaration ?? prop.declarations![0]!;
      const propType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(prop, decl));
      const tags = prop.getJsDocTags(checker);
      const dflt = tags.find((t) => t.name === 'default');
      fields.push({
        name: prop.name,
        type: checker.typeToString(propType, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope),
        required: (node.required ?? []).includes(prop.name),
        ...(dflt ? { default: ts.displayPartsToString(dflt.text).replace(/\s+/g, ' ').trim() } : {}),
        constraints: constraints(field),
        description: ts.displayPartsToString(prop.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim(),
      });
      descend(propType, field, `${at}.${prop.name}`);
    }
  };

  /** Follows lists, maps, one-or-many and `kind`-tagged unions down to the objects of model/spec.ts. */
  const descend = (type: ts.Type, node: Schema, at: string): void => {
    if (checker.isArrayType(type)) return descend(checker.getTypeArguments(type as ts.TypeReference)[0]!, node.items ?? {}, `${at}[]`);
    if (type.isUnion() && node.anyOf) {
      const single = type.types.find((t) => !checker.isArrayType(t));
      if (single) return descend(single, node.anyOf[0]!, at);
    }
    if (type.isUnion() && node.allOf) {
      for (const branch of node.allOf) {
        const [tag, cond] = Object.entries(branch.if.properties)[0]!;
        const member = type.types.find((t) => tagValues(t, tag, checker).includes(cond.const));
        if (!member) problems.push(`${at}: ${tag} ${cond.const} is in the validator's shape but not in model/spec.ts`);
        else visit(member, branch.then, `${at} (${tag}: ${cond.const})`, checker.typeToString(member));
      }
      return;
    }
    const index = checker.getIndexInfosOfType(type)[0];
    if (index && typeof node.additionalProperties === 'object') return descend(index.type, node.additionalProperties, `${at}.<name>`);
    if (type.isUnion() && type.types.every((t) => t.getFlags() & ts.TypeFlags.Object) && type.types.length > 1) {
      // A union of objects tagged by a field, written without a kind-switch in the schema (backend: type).
      for (const member of type.types)
        visit(member, mergeVariant(node, member, checker), `${at} (${describeTag(member, checker)})`, checker.typeToString(member));
      return;
    }
    if (type.getFlags() & ts.TypeFlags.Object && fromSpec(type) && node.properties) visit(type, node, at, checker.typeToString(type));
  };

  visit(checker.getTypeAtLocation(root.name), schema as Schema, '(root)', 'EnvironmentSpec');
  if (problems.length) throw new Error(`model/spec.ts and the validator's shapes disagree:\n  ${problems.join('\n  ')}`);
  return sections;
}

/** The literal values a union member's tag field (`kind`, `type`) may take. */
function tagValues(member: ts.Type, tag: string, checker: ts.TypeChecker): string[] {
  const p = member.getProperty(tag);
  if (!p) return [];
  const t = checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration!);
  return (t.isUnion() ? t.types : [t]).filter((x): x is ts.StringLiteralType => x.isStringLiteral()).map((x) => x.value);
}

function describeTag(member: ts.Type, checker: ts.TypeChecker): string {
  const p = member.getProperty('type') ?? member.getProperty('kind');
  return p ? `${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration!)).replace(/'/g, '')}` : checker.typeToString(member);
}

/** The schema branch for one member of a tagged union such as the backend's `type` (an `allOf` of if/then from `tagged`). */
function mergeVariant(node: Schema, member: ts.Type, checker: ts.TypeChecker): Schema {
  const p = member.getProperty('type') ?? member.getProperty('kind');
  const value = p ? checker.typeToString(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration!)).replace(/'/g, '') : '';
  return node.allOf?.find((b) => Object.values(b.if.properties)[0]?.const === value)?.then ?? node;
}

/** What the schema says of a field beyond its type, in words. */
function constraints(s: Schema): string {
  const out: string[] = [];
  const add = (node: Schema, prefix = '') => {
    if (node.enum) out.push(`${prefix}one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
    if (node.pattern) out.push(`${prefix}matches \`${String(node.pattern)}\``);
    if (node.minimum !== undefined) out.push(`${prefix}≥ ${String(node.minimum)}`);
    if (node.maximum !== undefined) out.push(`${prefix}≤ ${String(node.maximum)}`);
    if (node.minLength !== undefined) out.push(`${prefix}at least ${String(node.minLength)} characters`);
    if (node.maxLength !== undefined) out.push(`${prefix}at most ${String(node.maxLength)} characters`);
    if (node.minItems !== undefined) out.push(`${prefix}at least ${String(node.minItems)} entries`);
    if (node.maxItems !== undefined) out.push(`${prefix}at most ${String(node.maxItems)} entries`);
    if (node.uniqueItems) out.push(`${prefix}no duplicates`);
  };
  add(s);
  if (s.items && !s.items.properties) add(s.items, 'each ');
  if (s.anyOf?.[0] && !s.anyOf[0].properties) add(s.anyOf[0], 'each ');
  return out.join('; ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown document. */
export function renderSpecReference(schema: JsonSchema): string {
  const lines = [
    "<!-- Generated by `npm run spec:generate` from model/spec.ts and the validator's shapes; do not edit. -->",
    '# Environment spec reference',
    '',
    'Every field of an environment spec (`stacks/<env>.ts`, or a YAML/JSON file), section by section. Types, defaults',
    'and descriptions come from `model/spec.ts`; "required" and the constraints from the validator, which also',
    'produces [`schema/environment.schema.json`](../schema/environment.schema.json). To have an editor with the YAML',
    'language server complete and check a spec file, put this on its first line (path relative to the file, or a URL):',
    '',
    '```yaml',
    '# yaml-language-server: $schema=../schema/environment.schema.json',
    '```',
    '',
    "Cross-references (a guest's node exists, a secret is declared, a GPU is given to one guest) and arithmetic (a",
    'CIDR without host bits) are checked by the validator when the spec is loaded (`pvestack check`), not by the schema.',
  ];
  for (const section of specSections(schema)) {
    lines.push(
      '',
      `## \`${section.path}\``,
      '',
      `Type \`${section.type}\`.`,
      '',
      '| field | type | required | default | constraints | description |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const f of section.fields)
      lines.push(
        `| \`${f.name}\` | \`${cell(f.type)}\` | ${f.required ? 'yes' : ''} | ${f.default ? cell(f.default) : ''} | ${cell(f.constraints)} | ${cell(f.description)} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}
