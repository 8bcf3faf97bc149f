/**
 * A small validation vocabulary: each `Check` reads an unknown value at a path and either returns
 * a typed value or records `SpecError`s (and returns undefined). Checks never throw, so one pass
 * collects every problem of a spec.
 *
 * Each combinator also describes itself as JSON Schema (`jsonSchemaOf`), so the one definition in
 * `shapes.ts` is both the runtime validator and the schema editors check spec files against.
 * Refinements JSON Schema cannot say (host bits of a CIDR, cross-references) stay runtime-only:
 * the schema is never stricter than the validator.
 */
import { MAX_REPORTED_PROBLEMS, SpecError } from '../errors';

/**
 * Where checks record problems. Only the first MAX_REPORTED_PROBLEMS become SpecErrors; the
 * others are only counted, so a file of junk costs time in proportion to its size, not to the
 * square of it. Checks compare `total` before and after to learn whether a part failed.
 */
export interface Ctx {
  readonly errors: SpecError[];
  total: number;
}

/** A fresh context for one validation. */
export function newCtx(): Ctx {
  return { errors: [], total: 0 };
}

/** A JSON Schema (draft-07) fragment. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Check<T> {
  (value: unknown, path: string, ctx: Ctx): T | undefined;
  /** What this check accepts, as JSON Schema; absent means "anything" (a custom check). */
  readonly schema?: JsonSchema;
}

/** Attaches the JSON Schema a check enforces. */
export function described<T>(check: (value: unknown, path: string, ctx: Ctx) => T | undefined, schema: JsonSchema): Check<T> {
  return Object.assign(check, { schema });
}

/**
 * Adds JSON Schema for a rule the validator enforces in a later pass (`references.ts`), so that
 * editors flag it too; the runtime check and its message stay where they are.
 */
export function alsoInSchema<T>(check: Check<T>, schema: JsonSchema): Check<T> {
  return described((value, path, ctx) => check(value, path, ctx), { ...jsonSchemaOf(check), ...schema });
}

/** The JSON Schema of a check: what it declared, or `{}` (anything) for an undescribed custom check. */
export function jsonSchemaOf(check: Check<unknown>): JsonSchema {
  return check.schema ?? {};
}

/** A JavaScript pattern as a JSON Schema `pattern` (ECMA-262, no flags), or nothing when it has flags. */
function patternOf(re: RegExp | undefined): JsonSchema {
  return re && !re.flags ? { pattern: re.source } : {};
}

/** Joins a parent path and a key the way users read it: `guests[3].ipv4`. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Records a problem. A hint that costs work (a "did you mean" search over every name) can be
 * passed as a function: it runs only for the problems that are reported.
 */
export function fail(ctx: Ctx, path: string, problem: string, hint: string | (() => string), ...value: unknown[]): undefined {
  ctx.total++;
  if (ctx.errors.length >= MAX_REPORTED_PROBLEMS) return undefined;
  const text = typeof hint === 'function' ? hint() : hint;
  ctx.errors.push(value.length ? new SpecError(path, problem, text, value[0]) : new SpecError(path, problem, text));
  return undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export interface StrOptions {
  readonly pattern?: RegExp;
  /** Said in the hint when the pattern does not match. */
  readonly patternHint?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /**
   * Never echo the value in a message: for fields that name a secret, where a wrong value is
   * likely the secret itself pasted in by mistake, and error output ends up in CI logs.
   */
  readonly redact?: boolean;
}

export function str(opts: StrOptions = {}): Check<string> {
  const failWith = (ctx: Ctx, path: string, problem: string, hint: string, value: unknown): undefined =>
    opts.redact ? fail(ctx, path, `${problem} (value not shown: it may be a secret)`, hint) : fail(ctx, path, problem, hint, value);
  return described(
    (value, path, ctx) => {
      if (typeof value !== 'string') return failWith(ctx, path, `must be a string, not ${typeName(value)}`, opts.patternHint ?? 'Quote the value.', value);
      if (opts.minLength !== undefined && value.length < opts.minLength)
        return failWith(
          ctx,
          path,
          opts.minLength === 1 ? 'must not be empty' : `must be at least ${opts.minLength} characters`,
          opts.patternHint ?? 'Fill it in.',
          value,
        );
      if (opts.maxLength !== undefined && value.length > opts.maxLength)
        return failWith(ctx, path, `must be at most ${opts.maxLength} characters`, opts.patternHint ?? 'Shorten it.', value);
      if (opts.pattern && !opts.pattern.test(value))
        return failWith(ctx, path, 'has the wrong format', opts.patternHint ?? `It must match ${opts.pattern}.`, value);
      return value;
    },
    {
      type: 'string',
      ...patternOf(opts.pattern),
      ...(opts.minLength !== undefined ? { minLength: opts.minLength } : {}),
      ...(opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {}),
    },
  );
}

export interface NumOptions {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly unit?: string;
  /** Extra advice appended to range errors. */
  readonly hint?: string;
}

export function num(opts: NumOptions = {}): Check<number> {
  const unit = opts.unit ? ` ${opts.unit}` : '';
  return described(
    (value, path, ctx) => {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return fail(
          ctx,
          path,
          `must be a number${unit ? ` (${opts.unit})` : ''}, not ${typeName(value)}`,
          'Write a plain number without quotes or units.',
          value,
        );
      if (opts.integer && !Number.isInteger(value)) return fail(ctx, path, 'must be a whole number', 'Drop the fraction.', value);
      if (opts.min !== undefined && value < opts.min)
        return fail(ctx, path, `must be at least ${opts.min}${unit}`, opts.hint ?? `Use a value of ${opts.min}${unit} or more.`, value);
      if (opts.max !== undefined && value > opts.max)
        return fail(ctx, path, `must be at most ${opts.max}${unit}`, opts.hint ?? `Use a value of ${opts.max}${unit} or less.`, value);
      return value;
    },
    {
      type: opts.integer ? 'integer' : 'number',
      ...(opts.min !== undefined ? { minimum: opts.min } : {}),
      ...(opts.max !== undefined ? { maximum: opts.max } : {}),
    },
  );
}

export const int = (opts: Omit<NumOptions, 'integer'> = {}): Check<number> => num({ ...opts, integer: true });

export function bool(): Check<boolean> {
  return described(
    (value, path, ctx) =>
      typeof value === 'boolean' ? value : fail(ctx, path, `must be true or false, not ${typeName(value)}`, 'Write true or false without quotes.', value),
    { type: 'boolean' },
  );
}

export function oneOf<T extends string | number>(values: readonly T[], hint?: string): Check<T> {
  return described(
    (value, path, ctx) =>
      (values as readonly unknown[]).includes(value)
        ? (value as T)
        : fail(ctx, path, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, hint ?? suggest(value, values.map(String)), value),
    { enum: [...values] },
  );
}

export interface ArrOptions {
  readonly min?: number;
  readonly max?: number;
  /** Hint used when the list is too short. */
  readonly minHint?: string;
}

export function arr<T>(item: Check<T>, opts: ArrOptions = {}): Check<readonly T[]> {
  return described(
    (value, path, ctx) => {
      if (!Array.isArray(value))
        return fail(ctx, path, `must be a list, not ${typeName(value)}`, 'Write it as a list ([...] or "- item" lines in YAML).', value);
      if (opts.min !== undefined && value.length < opts.min)
        return fail(
          ctx,
          path,
          opts.min === 1 ? 'must not be empty' : `must have at least ${opts.min} entries`,
          opts.minHint ?? `Add at least ${opts.min}.`,
          value,
        );
      if (opts.max !== undefined && value.length > opts.max)
        return fail(ctx, path, `must have at most ${opts.max} entries`, `Remove ${value.length - opts.max}.`, value);
      const before = ctx.total;
      // Array.from visits the holes of a sparse array (`[, x]` in a TS spec); map would skip them.
      const out = Array.from(value, (v, i) => item(v, at(path, i), ctx));
      return ctx.total === before ? (out as T[]) : undefined;
    },
    {
      type: 'array',
      items: jsonSchemaOf(item),
      ...(opts.min !== undefined ? { minItems: opts.min } : {}),
      ...(opts.max !== undefined ? { maxItems: opts.max } : {}),
    },
  );
}

/**
 * A single value or a list of them (`from: web` or `from: [web-1, web-2]`), kept as written so
 * that later messages point at `from`, not at a `from[0]` the user never wrote.
 */
export function oneOrMany<T>(item: Check<T>): Check<T | readonly T[]> {
  const list = arr(item, { min: 1 });
  return described((value, path, ctx) => (Array.isArray(value) ? list(value, path, ctx) : item(value, path, ctx)), {
    anyOf: [jsonSchemaOf(item), jsonSchemaOf(list)],
  });
}

/**
 * A map of names to values. With `key`, each name is checked too; a name that fails it is left
 * out of the error path as well when the key check redacts (`secrets.<key 2>`), because a path
 * is printed as plainly as a value.
 */
export function record<T>(item: Check<T>, key?: Check<string>, opts: { readonly redactKeys?: boolean } = {}): Check<Readonly<Record<string, T>>> {
  return described(
    (value, path, ctx) => {
      if (!isPlainObject(value)) return fail(ctx, path, `must be a map of names to values, not ${typeName(value)}`, 'Write it as key: value pairs.', value);
      const before = ctx.total;
      const out: Record<string, T> = {};
      for (const [index, [k, v]] of Object.entries(value).entries()) {
        const keyErrors = ctx.errors.length;
        if (key) key(k, opts.redactKeys ? at(path, `<key ${index + 1}>`) : at(path, k), ctx);
        const hidden = opts.redactKeys && ctx.errors.length > keyErrors;
        const checked = item(v, hidden ? at(path, `<key ${index + 1}>`) : at(path, k), ctx);
        if (checked !== undefined) out[k] = checked;
      }
      return ctx.total === before ? out : undefined;
    },
    { type: 'object', additionalProperties: jsonSchemaOf(item), ...(key ? { propertyNames: jsonSchemaOf(key) } : {}) },
  );
}

type Field = { readonly check: Check<unknown>; readonly required: boolean };
export type Shape = Record<string, Field>;

export const required = <T>(check: Check<T>): { check: Check<T>; required: true } => ({ check, required: true });
export const optional = <T>(check: Check<T>): { check: Check<T>; required: false } => ({ check, required: false });

/** The typed result of an object shape: required fields present, optional ones possibly undefined. */
export type Parsed<S extends Shape> = {
  [K in keyof S as S[K]['required'] extends true ? K : never]: S[K]['check'] extends Check<infer T> ? T : never;
} & {
  [K in keyof S as S[K]['required'] extends true ? never : K]?: S[K]['check'] extends Check<infer T> ? T : never;
};

export function obj<S extends Shape>(shape: S, what = 'this object'): Check<Parsed<S>> {
  const known = Object.keys(shape);
  const schema = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, jsonSchemaOf(field.check)])),
    required: known.filter((key) => shape[key]!.required),
    additionalProperties: false,
  };
  return described((value, path, ctx) => {
    if (!isPlainObject(value))
      return fail(ctx, path, `must be an object with fields, not ${typeName(value)}`, `Describe ${what} with the fields ${known.join(', ')}.`, value);
    const before = ctx.total;
    for (const key of Object.keys(value)) {
      // hasOwn, not `in`: a field named toString or constructor is still unknown.
      if (!Object.prototype.hasOwnProperty.call(shape, key)) unknownField(ctx, path, key, known);
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const v = value[key];
      if (v === undefined || v === null) {
        if (field.required) fail(ctx, at(path, key), 'is required', `Add ${key} to ${what}.`);
        continue;
      }
      const checked = field.check(v, at(path, key), ctx);
      if (checked !== undefined) out[key] = checked;
    }
    return ctx.total === before ? (out as Parsed<S>) : undefined;
  }, schema);
}

/** An unknown key; its hint (an edit-distance search) is worked out only when it is reported. */
function unknownField(ctx: Ctx, path: string, key: string, known: readonly string[]): void {
  fail(ctx, at(path, key), 'is not a known field', () => nearMiss(key, known) ?? `Known fields: ${known.join(', ')}.`);
}

/** The union of what the variants of a `tagged` check return. */
export type VariantsOf<V extends Record<string, Check<unknown>>> = { [K in keyof V]: V[K] extends Check<infer T> ? T : never }[keyof V];

/**
 * Chooses a shape by a discriminating field such as `kind`. In JSON Schema each variant applies
 * when the tag equals its name (`if`/`then`), so editors complete the fields of the kind written.
 */
export function tagged<V extends Record<string, Check<unknown>>>(tag: string, variants: V): Check<VariantsOf<V>> {
  const names = Object.keys(variants);
  const schema = {
    type: 'object',
    required: [tag],
    properties: { [tag]: { enum: names } },
    allOf: names.map((name) => {
      const variant = jsonSchemaOf(variants[name]!) as { properties?: Record<string, JsonSchema> };
      return {
        if: { properties: { [tag]: { const: name } }, required: [tag] },
        then: { ...variant, properties: { ...variant.properties, [tag]: { const: name } } },
      };
    }),
  };
  return described((value, path, ctx) => {
    if (!isPlainObject(value)) return fail(ctx, path, `must be an object, not ${typeName(value)}`, `Give it a ${tag}: one of ${names.join(', ')}.`, value);
    const t = value[tag];
    if (t === undefined) return fail(ctx, at(path, tag), 'is required', `Set ${tag} to one of ${names.join(', ')}.`);
    const variant = typeof t === 'string' ? variants[t] : undefined;
    if (!variant || !Object.prototype.hasOwnProperty.call(variants, t as string))
      return fail(ctx, at(path, tag), `must be one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, suggest(t, names), t);
    return variant(value, path, ctx) as VariantsOf<V> | undefined;
  }, schema);
}

/**
 * Adds a refinement that runs only when the base check passed. `schema` adds what JSON Schema can
 * say of the refinement (a pattern, uniqueItems); the rest stays runtime-only.
 */
export function refine<T>(base: Check<T>, test: (v: T, path: string, ctx: Ctx) => void, schema: JsonSchema = {}): Check<T> {
  return described(
    (value, path, ctx) => {
      const before = ctx.total;
      const out = base(value, path, ctx);
      if (out !== undefined) test(out, path, ctx);
      return ctx.total === before ? out : undefined;
    },
    { ...jsonSchemaOf(base), ...schema },
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "Did you mean ...?" for near misses (edit distance ≤ 2), else a generic hint. */
export function suggest(value: unknown, options: readonly string[]): string {
  return nearMiss(value, options) ?? `Use one of: ${options.join(', ')}.`;
}

function nearMiss(value: unknown, options: readonly string[]): string | undefined {
  if (typeof value === 'string') {
    let best: string | undefined;
    let bestDistance = 3;
    for (const option of options) {
      // The distance is at least the difference in length: skip hopeless (and huge) values cheaply.
      if (Math.abs(value.length - option.length) >= bestDistance) continue;
      const d = editDistance(value.toLowerCase(), option.toLowerCase());
      if (d < bestDistance) {
        best = option;
        bestDistance = d;
      }
    }
    if (best !== undefined) return `Did you mean ${JSON.stringify(best)}?`;
  }
  return undefined;
}

/** Edit distance counting a swap of two neighbours as one edit ("wbe" is one edit from "web"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
