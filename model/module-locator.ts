/**
 * Where the value at a spec path (`guests[2].ipv4`) was written in a TypeScript spec module, found
 * by walking the module's syntax tree from its export along the path. The walk gives the best
 * place it is sure of: the property itself when it is written in a literal (whatever its value
 * is); otherwise the expression in the literal that produced it (`...base`, `.map(`, `vm(...)`),
 * said so in `origin`; a file the spec imports when the value is written there. When it cannot be
 * sure (two spreads that could each hold a key, a literal that differs from the loaded value
 * because the module changed it), it stops at the enclosing object rather than guess.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import { calleeName, ModuleSources, propertyName, type Written } from './module-source';

/** A place in a source file, 1-based, and what put the value there when that is not the line itself. */
export interface SourcePlace {
  readonly abs: string;
  readonly line: number;
  readonly col: number;
  /** "from the spread ...base on line 12": set when the line holds the expression that produced the value. */
  readonly origin?: string;
}

/** Where the walk stands: the best place so far, and whether it is a producer rather than the value. */
interface Place extends Written {
  readonly producer?: boolean;
}

type Found =
  | { readonly kind: 'at'; readonly node: TS.Node; readonly value: TS.Node; readonly file: TS.SourceFile; readonly via: readonly Written[] }
  | { readonly kind: 'producer'; readonly node: TS.Node; readonly file: TS.SourceFile; readonly via: readonly Written[] }
  | { readonly kind: 'none' };

const hasKey = (value: unknown, key: string | number): boolean =>
  value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key);

/** Locates spec paths of one module; parses each file once however many paths are asked for. */
export class ModuleLocator {
  private readonly ts: typeof TS;
  constructor(
    private readonly sources: ModuleSources,
    private readonly specAbs: string,
    /** The spec as the module exported it (before validation), to check the walk against. */
    private readonly spec: unknown,
  ) {
    this.ts = sources.ts;
  }

  /** The place of `parts` (`['guests', 2, 'ipv4']`), or undefined when the module gives none. */
  locate(parts: readonly (string | number)[]): SourcePlace | undefined {
    const specFile = this.sources.file(this.specAbs);
    if (!specFile) return undefined;
    // The loader takes `default`, else `spec` (model/spec-module.ts).
    const exported = this.sources.exported(specFile, 'default') ?? this.sources.exported(specFile, 'spec');
    if (!exported) return undefined;
    let at: Written = exported;
    let best: Place = exported;
    let lastInSpec: Written = exported;
    let value: unknown = this.spec;
    const touch = (w: Written) => {
      if (w.file === specFile) lastInSpec = w;
    };
    let complete = true;
    for (const written of parts) {
      touch(at);
      // `secrets.<key 2>`: the validator hides a key that may be a secret; it is the 2nd key.
      const hidden = typeof written === 'string' ? /^<key (\d+)>$/.exec(written) : null;
      const part = hidden && value !== null && typeof value === 'object' ? (Object.keys(value)[Number(hidden[1]) - 1] ?? written) : written;
      const r = this.sources.resolve(at);
      if (!r.resolved) {
        best = { ...r, producer: true };
        complete = false;
        break;
      }
      if (r.node !== this.sources.unwrap(at.node)) best = r;
      const found =
        typeof part === 'string' && this.ts.isObjectLiteralExpression(r.node)
          ? this.property(r.node, r.file, part, value)
          : typeof part === 'number' && this.ts.isArrayLiteralExpression(r.node)
            ? this.element(r.node, r.file, part, value)
            : this.ts.isObjectLiteralExpression(r.node) || this.ts.isArrayLiteralExpression(r.node)
              ? ({ kind: 'none' } as Found) // a literal of the other shape: it is the place
              : ({ kind: 'producer', node: r.node, file: r.file, via: [] } as Found);
      if (found.kind === 'none') {
        complete = false;
        break;
      }
      found.via.forEach(touch);
      if (found.kind === 'producer') {
        // A literal of the wrong shape (a string where an object belongs) is the value itself.
        best = isLiteral(this.ts, found.node) ? { node: found.node, file: found.file } : { node: found.node, file: found.file, producer: true };
        complete = false;
        break;
      }
      // A key's own mistake is at its name; anything else at its value.
      best = hidden && this.ts.isPropertyAssignment(found.node.parent) ? { node: found.node.parent, file: found.file } : { node: found.node, file: found.file };
      at = { node: found.value, file: found.file };
      value = hasKey(value, part) ? (value as Record<string | number, unknown>)[part] : undefined;
    }
    if (complete) {
      touch(at);
      // The value written in another file (an imported constant) is where it can be fixed.
      const r = this.sources.resolve(at);
      if (r.resolved && r.file !== at.file) best = r;
      // A literal that differs from the loaded value was changed after it was written: no place.
      if (r.resolved && isLiteral(this.ts, r.node) && !sameLiteral(this.ts, r.node, value)) return undefined;
    }
    return this.place(best, lastInSpec, specFile);
  }

  private place(best: Place, lastInSpec: Written, specFile: TS.SourceFile): SourcePlace {
    const at = anchor(this.ts, best.node, best.file);
    const { line, character } = best.file.getLineAndCharacterOfPosition(at);
    let origin: string | undefined;
    if (best.producer) origin = `from ${this.describe(best.node, best.file)} on line ${line + 1}`;
    if (best.file !== specFile) {
      const use = specFile.getLineAndCharacterOfPosition(anchor(this.ts, lastInSpec.node, lastInSpec.file)).line + 1;
      const via = `through ${this.describe(lastInSpec.node, specFile)} on line ${use} of ${path.basename(specFile.fileName)}`;
      origin = origin ? `${origin}, ${via}` : via;
    }
    return { abs: best.file.fileName, line: line + 1, col: character + 1, ...(origin ? { origin } : {}) };
  }

  /** "the spread ...base", "the .map() call", "the call vm()", "ADDR", "the expression". */
  private describe(node: TS.Node, file: TS.SourceFile): string {
    const ts = this.ts;
    if (ts.isSpreadAssignment(node) || ts.isSpreadElement(node)) {
      // Shown only when it holds no literal: one there may be a password (model/errors.ts never
      // echoes what may be a secret), and names say enough.
      return hasLiteral(ts, node.expression) ? 'the spread' : `the spread ...${short(node.expression.getText(file))}`;
    }
    if (ts.isPropertyAssignment(node)) return this.describe(node.initializer, file);
    if (ts.isShorthandPropertyAssignment(node)) return node.name.text;
    if (ts.isGetAccessorDeclaration(node)) return `the getter ${propertyName(ts, node) ?? ''}`.trim();
    if (ts.isMethodDeclaration(node)) return `the method ${propertyName(ts, node) ?? ''}`.trim();
    if (ts.isCallExpression(node)) {
      const name = calleeName(ts, node.expression);
      if (name && ts.isPropertyAccessExpression(node.expression)) return `the .${name}() call`;
      return name ? `the call ${name}()` : 'the call';
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) return short(node.getText(file));
    return 'the expression';
  }

  /** The property `key` of an object literal: written in it, in an object it spreads, or the spread that holds it. */
  private property(obj: TS.ObjectLiteralExpression, file: TS.SourceFile, key: string, value: unknown, depth = 0): Found {
    const ts = this.ts;
    const props = obj.properties;
    for (let i = props.length - 1; i >= 0; i--) {
      const p = props[i]!;
      if (ts.isSpreadAssignment(p)) {
        const r = this.sources.resolve({ node: p.expression, file });
        if (r.resolved && ts.isObjectLiteralExpression(r.node) && depth < 20) {
          const inner = this.property(r.node, r.file, key, value, depth + 1);
          if (inner.kind !== 'none') return { ...inner, via: [{ node: p, file }, ...inner.via] };
          // The spread literal certainly lacks the key only when it has no spread of its own.
          if (r.node.properties.some((q) => ts.isSpreadAssignment(q))) return { kind: 'none' };
          continue;
        }
        // `...(large ? big : small)` where neither branch has the key: it comes from before.
        if (this.lacks({ node: p.expression, file }, key, depth)) continue;
        // A spread of unknown content holds the key for sure only when nothing before it could.
        const earlier = props.slice(0, i).some((q) => ts.isSpreadAssignment(q) || propertyName(ts, q) === key || propertyName(ts, q) === undefined);
        if (!hasKey(value, key) || earlier) return { kind: 'none' };
        // `...defaults()`: the call made the properties; the spread only passes them on.
        return r.resolved && ts.isCallExpression(r.node)
          ? { kind: 'producer', node: r.node, file: r.file, via: [{ node: p, file }] }
          : { kind: 'producer', node: p, file, via: [] };
      }
      const name = propertyName(ts, p);
      if (name === undefined) return { kind: 'none' }; // a computed key could be this one
      if (name !== key) continue;
      // Written, but not in the loaded object: deleted after it was written; the object is the place.
      if (value !== null && typeof value === 'object' && !hasKey(value, key)) return { kind: 'none' };
      if (ts.isPropertyAssignment(p)) return { kind: 'at', node: p.initializer, value: p.initializer, file, via: [] };
      if (ts.isShorthandPropertyAssignment(p)) return { kind: 'at', node: p.name, value: p.name, file, via: [] };
      return { kind: 'producer', node: p, file, via: [] }; // a method or accessor
    }
    // Not written: a field the spec lacks (the error is about the object), or one added later.
    return { kind: 'none' };
  }

  /** Whether the object an expression evaluates to certainly has no property `key`. */
  private lacks(expr: Written, key: string, depth: number): boolean {
    const ts = this.ts;
    const r = this.sources.resolve(expr);
    if (!r.resolved || depth > 20) return false;
    if (ts.isConditionalExpression(r.node)) {
      return this.lacks({ node: r.node.whenTrue, file: r.file }, key, depth + 1) && this.lacks({ node: r.node.whenFalse, file: r.file }, key, depth + 1);
    }
    if (!ts.isObjectLiteralExpression(r.node)) return false;
    return r.node.properties.every((p) => {
      if (ts.isSpreadAssignment(p)) return this.lacks({ node: p.expression, file: r.file }, key, depth + 1);
      const name = propertyName(ts, p);
      return name !== undefined && name !== key;
    });
  }

  /** Element `index` of an array literal, through the spreads in it that can be followed. */
  private element(arr: TS.ArrayLiteralExpression, file: TS.SourceFile, index: number, value: unknown): Found {
    const ts = this.ts;
    interface Slot {
      readonly node: TS.Node;
      readonly file: TS.SourceFile;
      readonly via: readonly Written[];
      /** Made by a call (`vm(...)`, one element of `.map()`), not written as a value. */
      readonly producer?: boolean;
      /** A spread of unknown length: the slots after it are counted from the end. */
      readonly unknown?: boolean;
    }
    const slots: Slot[] = [];
    const flatten = (a: TS.ArrayLiteralExpression, f: TS.SourceFile, via: readonly Written[], depth: number) => {
      for (const el of a.elements) {
        if (!ts.isSpreadElement(el)) {
          slots.push({ node: el, file: f, via });
          continue;
        }
        const r = this.sources.resolve({ node: el.expression, file: f });
        if (r.resolved && ts.isArrayLiteralExpression(r.node) && depth < 20) flatten(r.node, r.file, [...via, { node: el, file: f }], depth + 1);
        else if (r.resolved && ts.isCallExpression(r.node)) {
          // `...names.map(...)`: the call made the elements; the spread only passes them on. Over
          // an array literal, `.map()` makes as many elements as it has.
          const count = this.mappedLength(r.node, r.file, depth);
          const slot = { node: r.node, file: r.file, via: [...via, { node: el, file: f }], producer: true };
          if (count === undefined) slots.push({ ...slot, unknown: true });
          else for (let k = 0; k < count; k++) slots.push(slot);
        } else slots.push({ node: el, file: f, via, unknown: true, producer: true });
      }
    };
    flatten(arr, file, [], 0);
    const length = Array.isArray(value) ? value.length : undefined;
    const unknown = slots.flatMap((s, i) => (s.unknown ? [i] : []));
    let slot: Slot | undefined;
    if (unknown.length === 0) {
      // A literal of another length than the loaded array was changed after it was written.
      if (length !== undefined && length !== slots.length) return { kind: 'none' };
      slot = slots[index];
    } else if (index < unknown[0]!) {
      slot = slots[index];
    } else if (length !== undefined) {
      const last = unknown[unknown.length - 1]!;
      const tail = slots.length - 1 - last;
      if (index >= length) slot = undefined;
      else if (index >= length - tail) slot = slots[last + 1 + index - (length - tail)];
      else if (unknown.length === 1) slot = slots[last];
    }
    if (!slot || ts.isOmittedExpression(slot.node)) return { kind: 'none' };
    if (slot.producer) return { kind: 'producer', node: slot.node, file: slot.file, via: slot.via };
    return { kind: 'at', node: slot.node, value: slot.node, file: slot.file, via: slot.via };
  }

  /** How many elements `xs.map(...)` makes when `xs` is an array literal of known length. */
  private mappedLength(call: TS.CallExpression, file: TS.SourceFile, depth: number): number | undefined {
    const ts = this.ts;
    if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'map') return undefined;
    return this.staticLength({ node: call.expression.expression, file }, depth + 1);
  }

  /** The length of an array literal (through spreads of literals and `.map()` over them), if fixed. */
  private staticLength(expr: Written, depth: number): number | undefined {
    const ts = this.ts;
    const r = this.sources.resolve(expr);
    if (depth > 20 || !r.resolved) return undefined;
    if (ts.isCallExpression(r.node)) return this.mappedLength(r.node, r.file, depth);
    if (!ts.isArrayLiteralExpression(r.node)) return undefined;
    let n = 0;
    for (const el of r.node.elements) {
      const k = ts.isSpreadElement(el) ? this.staticLength({ node: el.expression, file: r.file }, depth + 1) : 1;
      if (k === undefined) return undefined;
      n += k;
    }
    return n;
  }
}

/** Where to point for a node: a `.map(` at its name, anything else at its first token. */
function anchor(ts: typeof TS, node: TS.Node, file: TS.SourceFile): number {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) return node.expression.name.getStart(file);
  return node.getStart(file);
}

/** Whether an expression has a string, template or number literal anywhere in it. */
function hasLiteral(ts: typeof TS, node: TS.Node): boolean {
  if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node) || ts.isNumericLiteral(node) || ts.isBigIntLiteral(node)) return true;
  return ts.forEachChild(node, (child) => (hasLiteral(ts, child) ? true : undefined)) ?? false;
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}

function isLiteral(ts: typeof TS, node: TS.Node): boolean {
  return (
    ts.isStringLiteralLike(node) ||
    ts.isNumericLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand))
  );
}

/** Whether a literal written in the source is the loaded value. */
function sameLiteral(ts: typeof TS, node: TS.Node, value: unknown): boolean {
  if (ts.isStringLiteralLike(node)) return value === node.text;
  if (ts.isNumericLiteral(node)) return value === Number(node.text);
  if (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand)) return value === -Number(node.operand.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return value === true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return value === false;
  return value === null;
}
