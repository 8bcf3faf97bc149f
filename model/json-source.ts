/**
 * JSON spec files: `JSON.parse` for the value (fast, linear) plus one pass of a small scanner
 * that the parser does not offer: the place of a syntax error, duplicate keys (JSON.parse keeps
 * the last one silently; YAML specs reject them), and `file:line:col` of the fields that spec
 * errors name. Paths are written the way the validator writes them (`guests[3].disks[0]`).
 */

/** 1-based line and column of offsets in a text; built once, each lookup is a binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** `line:col` of an offset. */
  position(offset: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return `${lo + 1}:${offset - this.starts[lo]! + 1}`;
  }
}

export interface JsonScan {
  /** The first syntax error: where and what. */
  readonly syntaxError?: { readonly offset: number; readonly message: string };
  /** The first key that repeats within its object. */
  readonly duplicateKey?: { readonly offset: number; readonly path: string };
  /** Offset of the value at each wanted path that exists. */
  readonly offsets: Map<string, number>;
}

/** A JSON number, true, false or null at `lastIndex`. */
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

type Frame = { kind: 'object'; path: string; keys: Set<string>; index: number } | { kind: 'array'; path: string; index: number };

/**
 * Scans JSON text once. `wanted` lists the paths whose offsets the caller needs (the paths of
 * reported spec errors), or 'all'; path strings are only built when some are wanted.
 */
export function scanJson(text: string, wanted: ReadonlySet<string> | 'all' = new Set()): JsonScan {
  const offsets = new Map<string, number>();
  const track = wanted === 'all' || wanted.size > 0;
  const stack: Frame[] = [];
  let duplicateKey: JsonScan['duplicateKey'];
  let i = 0;
  const fail = (message: string): JsonScan => ({
    syntaxError: { offset: Math.min(i, text.length), message },
    ...(duplicateKey ? { duplicateKey } : {}),
    offsets,
  });
  const skipWs = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i++;
    }
  };
  const join = (parent: string, key: string | number) => (typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);
  /** Reads a string token starting at the quote; returns its value or undefined on error. */
  const readString = (): string | undefined => {
    const start = i;
    let escaped = false;
    i++;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) return undefined;
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
      } else if (c < 0x20) return undefined;
      else i++;
    }
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return undefined;
    }
  };
  /** Starts a value at `path`; returns an error message or undefined. */
  const startValue = (path: string): string | undefined => {
    skipWs();
    if (track && (wanted === 'all' || wanted.has(path))) offsets.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      stack.push({ kind: 'object', path, keys: new Set(), index: 0 });
      return undefined;
    }
    if (c === '[') {
      i++;
      stack.push({ kind: 'array', path, index: 0 });
      return undefined;
    }
    if (c === '"') return readString() === undefined ? 'a string is not closed or holds a raw control character' : undefined;
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text))
      return i >= text.length ? 'the file ends where a value should be' : `unexpected ${JSON.stringify(text[i])} where a value should be`;
    i = LITERAL.lastIndex;
    return undefined;
  };

  let problem = startValue('');
  if (problem) return fail(problem);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    skipWs();
    if (top.kind === 'array') {
      if (text[i] === ']') {
        i++;
        stack.pop();
        continue;
      }
      if (top.index > 0) {
        if (text[i] !== ',')
          return fail(i >= text.length ? 'the file ends inside a list' : `expected "," or "]" after a list entry, found ${JSON.stringify(text[i])}`);
        i++;
      }
      problem = startValue(track ? join(top.path, top.index) : '');
      top.index++;
      if (problem) return fail(problem);
      continue;
    }
    // At the top of the loop an object has just opened or just read a field's value.
    if (text[i] === '}') {
      i++;
      stack.pop();
      continue;
    }
    if (top.index > 0) {
      if (text[i] !== ',')
        return fail(i >= text.length ? 'the file ends inside an object' : `expected "," or "}" after a field, found ${JSON.stringify(text[i])}`);
      i++;
      skipWs();
    }
    const keyAt = i;
    if (text[i] !== '"')
      return fail(i >= text.length ? 'the file ends inside an object' : `expected a double-quoted field name, found ${JSON.stringify(text[i])}`);
    const key = readString();
    if (key === undefined) return fail('a field name is not closed or holds a raw control character');
    if (top.keys.has(key)) duplicateKey ??= { offset: keyAt, path: join(top.path, key) };
    top.keys.add(key);
    skipWs();
    if (text[i] !== ':') return fail(`expected ":" after the field name, found ${i >= text.length ? 'the end of the file' : JSON.stringify(text[i])}`);
    i++;
    problem = startValue(track ? join(top.path, key) : '');
    top.index++;
    if (problem) return fail(problem);
  }
  skipWs();
  if (i < text.length) return fail(`unexpected ${JSON.stringify(text[i])} after the end of the document`);
  return { ...(duplicateKey ? { duplicateKey } : {}), offsets };
}
