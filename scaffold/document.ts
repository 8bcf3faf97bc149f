/**
 * A spec with comments, rendered as YAML or as a TypeScript module from the same tree, so both
 * formats of `pvestack init` say the same thing and hold the same values. Comments sit above the
 * entry they explain; `note` entries are comment-only lines (the next fields to reach for).
 */
import { stringify } from 'yaml';

export type Scalar = string | number | boolean;
export type Value = Scalar | readonly Value[] | Obj;

/** An object: its entries in order. */
export interface Obj {
  readonly entries: readonly Entry[];
  /** Render on one line (`{ a: 1, b: 2 }`) when it has no comments. */
  readonly inline?: boolean;
}

export type Entry = { readonly key: string; readonly value: Value; readonly comment?: readonly string[] } | { readonly note: readonly string[] };

/** An object from entries (`undefined` entries are left out, for optional parts). */
export function obj(...entries: (Entry | undefined | false)[]): Obj {
  return { entries: entries.filter((e): e is Entry => Boolean(e)) };
}

/** A one-line object such as a datastore or a connection. */
export function inline(...entries: (Entry | undefined | false)[]): Obj {
  return { entries: entries.filter((e): e is Entry => Boolean(e)), inline: true };
}

/** `key: value`, with comment lines above it. */
export function field(key: string, value: Value, ...comment: string[]): Entry {
  return comment.length ? { key, value, comment } : { key, value };
}

/** Comment lines where a field could go: what to add next, and why. */
export function note(...lines: string[]): Entry {
  return { note: lines };
}

function isObj(v: Value): v is Obj {
  return typeof v === 'object' && !Array.isArray(v);
}

/** The plain value (comments dropped), to validate or compare. */
export function toPlain(value: Value): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (isObj(value as Value)) {
    const out: Record<string, unknown> = {};
    for (const e of (value as Obj).entries) if ('key' in e) out[e.key] = toPlain(e.value);
    return out;
  }
  return value;
}

// ---- YAML ---------------------------------------------------------------------------------

const yamlScalar = (v: Scalar): string => stringify(v, { lineWidth: 0 }).trimEnd();
const yamlKey = (k: string): string => (/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k));

/** Inside `{ }` or `[ ]` a comma, bracket or colon would end or split a plain scalar: quote those. */
function yamlFlowScalar(v: Scalar): string {
  return typeof v === 'string' && /[,[\]{}:#]|^\s|\s$/.test(v) ? JSON.stringify(v) : yamlScalar(v);
}

function yamlFlow(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(yamlFlow).join(', ')}]`;
  if (isObj(v as Value))
    return `{ ${(v as Obj).entries
      .filter((e) => 'key' in e)
      .map((e) => `${yamlKey((e as { key: string }).key)}: ${yamlFlow((e as { value: Value }).value)}`)
      .join(', ')} }`;
  return yamlFlowScalar(v as Scalar);
}

/** Short enough and comment-free: written on one line. */
function flowable(v: Value): boolean {
  if (Array.isArray(v)) return v.every((x) => !Array.isArray(x) && !isObj(x as Value)) || v.every((x) => isObj(x as Value) && (x as Obj).inline);
  if (isObj(v as Value)) return Boolean((v as Obj).inline);
  return true;
}

function yamlComments(lines: readonly string[] | undefined, pad: string): string[] {
  return (lines ?? []).map((l) => (l ? `${pad}# ${l}` : `${pad}#`));
}

function yamlEntries(o: Obj, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const e of o.entries) {
    if ('note' in e) {
      out.push(...yamlComments(e.note, pad));
      continue;
    }
    out.push(...yamlComments(e.comment, pad));
    out.push(...yamlValue(`${pad}${yamlKey(e.key)}:`, e.value, indent));
  }
  return out;
}

/** `head` is `key:` or `- `; the value follows on the line or below it. */
function yamlValue(head: string, v: Value, indent: number): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${head} []`];
    if (v.every((x) => !Array.isArray(x) && !isObj(x as Value)) && yamlFlow(v).length <= 70) return [`${head} ${yamlFlow(v)}`];
    const pad = ' '.repeat(indent + 2);
    const lines = [head];
    for (const item of v) {
      if (isObj(item as Value) && !(item as Obj).inline) {
        const inner = yamlEntries(item as Obj, indent + 4);
        // Comments of the item's first field go above the dash, not after it.
        const lead = inner.findIndex((l) => !l.trimStart().startsWith('#'));
        lines.push(...inner.slice(0, lead).map((l) => `${pad}${l.trimStart()}`), `${pad}- ${inner[lead]!.trimStart()}`, ...inner.slice(lead + 1));
      } else lines.push(`${pad}- ${flowable(item) ? yamlFlow(item) : yamlScalar(item as Scalar)}`);
    }
    return lines;
  }
  if (isObj(v as Value)) return (v as Obj).inline ? [`${head} ${yamlFlow(v)}`] : [head, ...yamlEntries(v as Obj, indent + 2)];
  return [`${head} ${yamlScalar(v as Scalar)}`];
}

/** The document as YAML, with `header` comment lines on top. */
export function renderYaml(doc: Obj, header: readonly string[]): string {
  return `${[...yamlComments(header, ''), ...yamlEntries(doc, 0)].join('\n')}\n`;
}

// ---- TypeScript ---------------------------------------------------------------------------

const tsKey = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`);
const tsScalar = (v: Scalar): string => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v));

function tsFlow(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(tsFlow).join(', ')}]`;
  if (isObj(v as Value))
    return `{ ${(v as Obj).entries
      .filter((e) => 'key' in e)
      .map((e) => `${tsKey((e as { key: string }).key)}: ${tsFlow((e as { value: Value }).value)}`)
      .join(', ')} }`;
  return tsScalar(v as Scalar);
}

function tsComments(lines: readonly string[] | undefined, pad: string): string[] {
  return (lines ?? []).map((l) => (l ? `${pad}// ${l}` : `${pad}//`));
}

function tsValue(v: Value, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return ['[]'];
    if (v.every((x) => flowable(x)) && tsFlow(v).length <= 70) return [tsFlow(v)];
    const lines = ['['];
    for (const item of v) {
      const inner = tsValue(item, indent + 2);
      lines.push(`${pad}  ${inner[0]}`, ...inner.slice(1));
      lines[lines.length - 1] += ',';
    }
    lines.push(`${pad}]`);
    return lines;
  }
  if (isObj(v as Value)) {
    if ((v as Obj).inline) return [tsFlow(v)];
    const lines = ['{'];
    for (const e of (v as Obj).entries) {
      if ('note' in e) {
        lines.push(...tsComments(e.note, `${pad}  `));
        continue;
      }
      lines.push(...tsComments(e.comment, `${pad}  `));
      const inner = tsValue(e.value, indent + 2);
      lines.push(`${pad}  ${tsKey(e.key)}: ${inner[0]}`, ...inner.slice(1));
      lines[lines.length - 1] += ',';
    }
    lines.push(`${pad}}`);
    return lines;
  }
  return [tsScalar(v as Scalar)];
}

/** The document as a TypeScript module exporting `defineEnvironment({...})`, imported from `importFrom`. */
export function renderTypeScript(doc: Obj, header: readonly string[], importFrom: string): string {
  const body = tsValue(doc, 0);
  return `${[...tsComments(header, ''), `import { defineEnvironment } from '${importFrom}';`, '', `export default defineEnvironment(${body[0]}`, ...body.slice(1)].join('\n')});\n`;
}
