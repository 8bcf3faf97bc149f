/**
 * YAML text of plain data, byte for byte what `stringify(value, { lineWidth: 0, ... })` of the
 * `yaml` package writes, at a fraction of its cost.
 *
 * `yaml`'s stringify first builds a whole document (a node per value, a pair per key), then
 * writes it, testing every string against a dozen regexes; for a 1 000-guest environment's
 * cloud-init and compose files that was a fifth of `pvestack synth`. The artifacts are plain data
 * (objects, arrays, strings, numbers, booleans, null) in block style without folding
 * (`lineWidth: 0`), which this writes directly:
 * - the layout follows yaml's stringifyCollection/stringifyPair (yaml/dist/stringify/): block maps
 *   and sequences, sequences indented under their key (`indentSeq`), empty collections as `{}` and
 *   `[]`, keys whose value is undefined left out;
 * - a string that is certainly a plain scalar (one line of printable ASCII that passes yaml's own
 *   indicator and type tests, see isPlain) is written as it is, as yaml's plainString does; every
 *   other string goes through yaml's own `stringifyString` (public in `yaml/util`) with the
 *   context yaml would give it, so quoting, escapes and block literals are yaml's;
 * - numbers go through yaml's `stringifyNumber`, as the core schema's int and float tags do.
 * Anything else (a duplicated object yaml would write as an alias, undefined in an array, class
 * instances, Maps, bigints, keys over 1 024 characters) is handed to yaml's stringify whole.
 * test/templates/yaml-text.test.ts compares both on generated data and on every environment.
 */
import { Document, stringify } from 'yaml';
// `yaml/util` is public (the package's exports); tsconfig.json's paths give TypeScript its types.
import { stringifyNumber, stringifyString } from 'yaml/util';

export interface YamlTextOptions {
  /** As yaml's option: write an object met twice as an anchor and aliases (yaml's default). @default true */
  readonly aliasDuplicateObjects?: boolean;
}

/** Thrown inside the writer for a value it leaves to yaml; never escapes this module. */
class LeaveToYaml extends Error {}

const INDENT_STEP = '  ';
/**
 * The string options yaml's createStringifyContext (yaml/dist/stringify/stringify.js) sets by
 * default, with `lineWidth: 0` as every caller passes.
 */
const OPTIONS = {
  blockQuote: true,
  defaultKeyType: null,
  defaultStringType: 'PLAIN',
  directives: null,
  doubleQuotedAsJSON: false,
  doubleQuotedMinMultiLineLength: 40,
  falseStr: 'false',
  flowCollectionPadding: true,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 20,
  nullStr: 'null',
  simpleKeys: false,
  singleQuote: null,
  trailingComma: false,
  trueStr: 'true',
  verifyAliasOrder: true,
} as const;
/** A document of the default (core) schema: yaml's plainString tests strings against its tags. */
const DOC = new Document();

/**
 * Strings yaml's plainString (yaml/dist/stringify/stringifyString.js) writes unchanged when they are
 * neither keys with line breaks nor in flow context: printable ASCII on one line that its
 * indicator test does not reject, that does not start like a document marker, and that no
 * default tag of the core schema (null, bool, int, float) would read as anything but a string.
 * yaml tests exactly these; any other string goes through yaml's own stringifyString.
 */
const ONE_LINE_PRINTABLE = /^[\x20-\x7e]+$/;
const INDICATORS = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/;
const OTHER_TYPES: readonly RegExp[] = DOC.schema.tags.flatMap((t) => (t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test ? [t.test] : []));

function isPlain(s: string): boolean {
  return ONE_LINE_PRINTABLE.test(s) && !INDICATORS.test(s) && !DOCUMENT_MARKER.test(s) && !OTHER_TYPES.some((re) => re.test(s));
}

function scalarString(s: string, indent: string, implicitKey: boolean): string {
  if (isPlain(s)) return s;
  // The context yaml's stringifyPair/stringifyBlockCollection hand to the string tag (string.js adds actualString).
  const ctx = { doc: DOC, indent, indentStep: INDENT_STEP, inFlow: null, implicitKey, actualString: true, allNullValues: false, options: OPTIONS };
  return stringifyString({ value: s } as Parameters<typeof stringifyString>[0], ctx as unknown as Parameters<typeof stringifyString>[1], undefined, () => {});
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

class Writer {
  private readonly seen: Set<object> | undefined;

  constructor(aliases: boolean) {
    this.seen = aliases ? new Set() : undefined;
  }

  /** A value as yaml writes a node whose context indent is `indent` (never a key). */
  node(v: unknown, indent: string): string {
    switch (typeof v) {
      case 'string':
        return scalarString(v, indent, false);
      case 'number':
        return stringifyNumber({ value: v } as Parameters<typeof stringifyNumber>[0]);
      case 'boolean':
        return v ? OPTIONS.trueStr : OPTIONS.falseStr;
      case 'object':
        if (v === null) return OPTIONS.nullStr;
        this.track(v);
        if (Array.isArray(v)) return this.seq(v, indent);
        if (isPlainObject(v)) return this.map(v, indent);
    }
    throw new LeaveToYaml();
  }

  private track(v: object): void {
    if (!this.seen) return;
    if (this.seen.has(v)) throw new LeaveToYaml();
    this.seen.add(v);
  }

  private seq(a: readonly unknown[], indent: string): string {
    if (Object.getPrototypeOf(a) !== Array.prototype) throw new LeaveToYaml();
    if (a.length === 0) return '[]';
    const itemIndent = indent + INDENT_STEP;
    let out = '';
    for (let i = 0; i < a.length; i++) {
      const item = a[i];
      if (item === undefined) throw new LeaveToYaml();
      out += `${i === 0 ? '' : `\n${indent}`}- ${this.node(item, itemIndent)}`;
    }
    return out;
  }

  private map(o: Record<string, unknown>, indent: string): string {
    let out = '';
    let first = true;
    for (const key of Object.keys(o)) {
      const value = o[key];
      if (value === undefined) continue;
      out += `${first ? '' : `\n${indent}`}${this.pair(key, value, indent + INDENT_STEP)}`;
      first = false;
    }
    return first ? '{}' : out;
  }

  /** stringifyPair for a block map: `inner` is the pair's context indent (the map's plus one step). */
  private pair(key: string, value: unknown, inner: string): string {
    const k = scalarString(key, inner, true);
    if (k.length > 1024) throw new LeaveToYaml();
    const v = this.node(value, inner);
    if (value !== null && typeof value === 'object') {
      // A non-empty block collection starts on the next line; an empty one is a flow `{}`/`[]`.
      return v === '{}' || v === '[]' ? `${k}: ${v}` : `${k}:\n${inner}${v}`;
    }
    return v === '' || v[0] === '\n' ? `${k}:${v}` : `${k}: ${v}`;
  }
}

/** `stringify(value, { lineWidth: 0, ...options })` of the `yaml` package, faster for plain data. */
export function yamlText(value: unknown, options: YamlTextOptions = {}): string {
  const aliases = options.aliasDuplicateObjects ?? true;
  if (value !== null && typeof value === 'object') {
    try {
      return `${new Writer(aliases).node(value, '')}\n`;
    } catch (e) {
      if (!(e instanceof LeaveToYaml)) throw e;
    }
  }
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: aliases });
}
