/**
 * A faster route through cdktf's token resolution for the parts of a stack that hold no token.
 *
 * cdktf's `resolve` (cdktf/lib/tokens/private/resolve.js) walks every value of every element's
 * Terraform JSON, and once more the merged stack: for every node it builds two resolution contexts
 * (closures, a copied key path), and tests every string against the token regexes. Nearly all of a
 * PlatformStack's values are plain strings, numbers and booleans: on a 1 000-guest environment
 * that walk was the largest single cost of `app.synth`.
 *
 * `plainResolve` gives the same result as cdktf's `resolve` for every input: it walks plain
 * objects, arrays and scalars itself, with the same rules (undefined dropped from objects and
 * arrays, `null`, booleans and Dates kept as they are), and hands every value that is or may hold
 * a token (an IResolvable, a string with a `{TfToken[` marker, a string cdktf would scan for an
 * encoded number, a number or list of numbers with the token bit pattern, a map with a token key,
 * a function, a construct, a path deeper than cdktf's limit) to cdktf's own `resolve`, with the
 * same key path. cdktf's context flags (suppressBraces, ignoreEscapes, iteratorContext) are only
 * set by tokens, so a subtree reached through plain values starts from the same context cdktf
 * would give it. test/stacks/plain-resolve.test.ts compares both on every environment.
 */
import { DefaultTokenResolver, StringConcat, Token } from 'cdktf';

interface ResolveOptions {
  readonly scope: unknown;
  readonly preparing: boolean;
  readonly resolver: unknown;
  readonly prefix?: string[];
}

type Resolve = (obj: unknown, options: ResolveOptions) => unknown;

/** The private modules this relies on; cdktf 0.21.0 is the last release, so they do not move. */
interface CdktfPrivate {
  readonly resolve: Resolve;
  readonly extractTokenDouble: (x: number, list: boolean) => number | undefined;
}

function cdktfPrivate(): CdktfPrivate | undefined {
  try {
    const { resolve } = require('cdktf/lib/tokens/private/resolve') as Partial<CdktfPrivate>;
    const { extractTokenDouble } = require('cdktf/lib/tokens/private/encoding') as Partial<CdktfPrivate>;
    return typeof resolve === 'function' && typeof extractTokenDouble === 'function' ? { resolve, extractTokenDouble } : undefined;
  } catch {
    return undefined;
  }
}

const PRIVATE = cdktfPrivate();

/** cdktf's NUMBER_TOKEN_REGEX (cdktf/lib/tokens/private/encoding.js): strings it splits for encoded numbers. */
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
/** The common part of cdktf's string, list and map token markers (`${TfToken[`, `#{TfToken[`, `&{TfToken[`). */
const MARKER = '{TfToken[';
/** cdktf's depth limit (resolve.js throws past it); deeper paths go to cdktf, which throws its own error. */
const MAX_DEPTH = 200;

/** A key path as a linked list, so walking a plain value copies no array. */
interface Path {
  readonly parent: Path | undefined;
  readonly key: string;
}

function stringMayHoldToken(s: string): boolean {
  return s.includes(MARKER) || NUMBER_TOKEN.test(s) || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE;
}

/**
 * Resolves `obj` as cdktf's `resolve(obj, { scope, resolver, preparing: false })` does, walking
 * token-free values without cdktf's per-node contexts.
 */
function plainResolve(p: CdktfPrivate, obj: unknown, scope: unknown, resolver: unknown): unknown {
  // The key path is built only when cdktf needs it (its error messages name it).
  const generic = (x: unknown, at: Path | undefined) => {
    const prefix: string[] = [];
    for (let a = at; a; a = a.parent) prefix.unshift(a.key);
    return p.resolve(x, { scope, preparing: false, resolver, prefix });
  };
  const numberIsToken = (n: number, list: boolean) => p.extractTokenDouble(n, list) !== undefined;

  const walk = (x: unknown, prefix: Path | undefined, depth: number): unknown => {
    if (depth > MAX_DEPTH) return generic(x, prefix);
    switch (typeof x) {
      case 'undefined':
      case 'boolean':
      case 'bigint':
      case 'symbol':
        return x;
      case 'string':
        return stringMayHoldToken(x) ? generic(x, prefix) : x;
      case 'number':
        return x === Token.NUMBER_MAP_TOKEN_VALUE || numberIsToken(x, false) ? generic(x, prefix) : x;
      case 'function':
        return generic(x, prefix);
    }
    if (x === null || x instanceof Date) return x;
    if (Array.isArray(x)) {
      for (const e of x) {
        if ((typeof e === 'string' && e.includes(MARKER)) || (typeof e === 'number' && numberIsToken(e, true))) return generic(x, prefix);
      }
      const out: unknown[] = [];
      for (let i = 0; i < x.length; i++) {
        const v = walk(x[i], { parent: prefix, key: `${i}` }, depth + 1);
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    const o = x as Record<string, unknown>;
    // Tokens (IResolvable), maps with token keys, keys cdktf would scan, constructs: cdktf decides.
    if (typeof o.resolve === 'function' || (o._children !== undefined && o._metadata !== undefined)) return generic(x, prefix);
    const keys = Object.keys(o);
    for (const k of keys) if (stringMayHoldToken(k)) return generic(x, prefix);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = walk(o[k], { parent: prefix, key: k }, depth + 1);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  return walk(obj, undefined, 0);
}

/** cdktf/lib/_tokens.js: the `resolve(scope, obj, preparing)` cdktf's stack and elements call. */
interface TokensModule {
  resolve: (scope: unknown, obj: unknown, preparing?: boolean) => unknown;
}

function tokensModule(): TokensModule | undefined {
  try {
    const mod = require('cdktf/lib/_tokens') as Partial<TokensModule>;
    return typeof mod.resolve === 'function' ? (mod as TokensModule) : undefined;
  } catch {
    return undefined;
  }
}

/** The same resolver _tokens.js builds (a DefaultTokenResolver holds nothing but its concatenator). */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Runs `fn` (a stack's `toTerraform`) with cdktf's `_tokens.resolve` answered by `plainResolve`.
 * TerraformStack.toTerraform (cdktf/lib/terraform-stack.js) calls it as
 * `(0, _tokens_1.resolve)(this, ...)`, reading the export on every call, so replacing the export
 * reaches every call it makes; the preparing pass is left to cdktf. When cdktf's private modules
 * are not where 0.21.0 has them, `fn` runs unchanged.
 */
export function withPlainResolve<T>(fn: () => T): T {
  const mod = tokensModule();
  const p = PRIVATE;
  if (!mod || !p) return fn();
  const original = mod.resolve;
  mod.resolve = (scope, obj, preparing = false) => (preparing ? original(scope, obj, preparing) : plainResolve(p, obj, scope, RESOLVER));
  try {
    return fn();
  } finally {
    mod.resolve = original;
  }
}
