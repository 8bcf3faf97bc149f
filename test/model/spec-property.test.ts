import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InvalidSpecError } from '../../model/errors';
import { parseEnvironmentYaml } from '../../model/load';
import { validateEnvironment } from '../../model/validate';
import { smallSpec } from '../fixtures/specs';

type Json = Record<string, any>;

/** Runs `fn`; anything it throws other than InvalidSpecError fails the property. */
function onlySpecErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    expect(err.errors.length).toBeGreaterThan(0);
    for (const e of err.errors) {
      expect(typeof e.message).toBe('string');
      expect(e.message).not.toMatch(/undefined\.|\[object Object\]/);
    }
  }
}

/** Every path (list of keys) to a value inside the fixture, objects and arrays included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

const FIXTURE_PATHS = paths(smallSpec()).filter((p) => p.length > 0);

const weirdValue = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withSparseArray: true, maxDepth: 3 }),
  fc.constantFrom(undefined, null, NaN, Infinity, -1, 0, 1e21, '', ' ', '${x}', '__proto__', 'constructor', [], {}, [null], { __proto__: null }),
);
const weirdKey = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '//'));

type Mutation =
  | { kind: 'set'; path: (string | number)[]; value: unknown }
  | { kind: 'delete'; path: (string | number)[] }
  | { kind: 'add'; path: (string | number)[]; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...FIXTURE_PATHS), value: weirdValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...FIXTURE_PATHS) }),
  fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom([], ...FIXTURE_PATHS), key: weirdKey, value: weirdValue }),
);

function apply(spec: Json, m: Mutation): Json {
  const parent = (p: (string | number)[]) => p.slice(0, -1).reduce<any>((o, k) => o?.[k], spec);
  if (m.kind === 'add') {
    const target = m.path.reduce<any>((o, k) => o?.[k], spec);
    if (target && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return spec;
  }
  const p = parent(m.path);
  const last = m.path[m.path.length - 1]!;
  if (!p || typeof p !== 'object') return spec; // an earlier mutation removed the parent
  if (m.kind === 'delete') {
    if (Array.isArray(p)) p.splice(Number(last), 1);
    else delete p[last];
  } else p[last] = m.value;
  return spec;
}

describe('validateEnvironment never crashes', () => {
  it('on arbitrary values', () => {
    fc.assert(
      fc.property(weirdValue, (v) => onlySpecErrors(() => validateEnvironment(v))),
      { numRuns: 500 },
    );
  });

  it('on the fixture with up to three random mutations', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const spec = ms.reduce(apply, smallSpec());
        onlySpecErrors(() => validateEnvironment(spec, 'fuzz.yaml'));
      }),
      { numRuns: 800 },
    );
  });

  it('reports a field it does not know, even one named like an Object method', () => {
    fc.assert(
      fc.property(fc.constantFrom('toString', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'), (key) => {
        const spec = smallSpec();
        spec.guests[0][key] = 1;
        expect(() => validateEnvironment(spec)).toThrow(InvalidSpecError);
      }),
    );
  });
});

describe('parseEnvironmentYaml never crashes', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => onlySpecErrors(() => parseEnvironmentYaml(text, 'fuzz.yaml'))),
      { numRuns: 500 },
    );
  });

  it('on the fixture with random lines dropped or duplicated', () => {
    const lines = stringify(smallSpec()).split('\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(lines.length - 1), fc.boolean()), { minLength: 1, maxLength: 4 }), (edits) => {
        const out = [...lines];
        for (const [i, dup] of edits) out.splice(Math.min(i, out.length - 1), dup ? 0 : 1, ...(dup ? [out[Math.min(i, out.length - 1)]!] : []));
        onlySpecErrors(() => parseEnvironmentYaml(out.join('\n'), 'fuzz.yaml'));
      }),
      { numRuns: 150 },
    );
  });

  it('on mutated fixtures written as YAML, and locates every error it reports', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), (ms) => {
        let text: string;
        try {
          text = stringify(ms.reduce(apply, smallSpec()));
        } catch {
          return; // a value YAML cannot write (a Map with object keys, a BigInt) is not a spec file
        }
        try {
          parseEnvironmentYaml(text, 'fuzz.yaml');
        } catch (err) {
          if (!(err instanceof InvalidSpecError)) throw err;
          for (const e of err.errors) expect(e.location).toMatch(/^fuzz\.yaml:\d+:\d+$/);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('valid variations are accepted', () => {
  const hostName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
  const variation = fc.record({
    names: fc.uniqueArray(hostName, { minLength: 5, maxLength: 5 }),
    cores: fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 5, maxLength: 5 }),
    memory: fc.array(fc.double({ min: 0.25, max: 12288, noNaN: true }), { minLength: 5, maxLength: 5 }),
    hosts: fc.uniqueArray(fc.integer({ min: 2, max: 254 }), { minLength: 5, maxLength: 5 }),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }),
  });

  /** Renames guests everywhere they are referred to, resizes them and reorders the list. */
  function vary(v: { names: string[]; cores: number[]; memory: number[]; hosts: number[]; order: number[] }): Json {
    const spec = smallSpec();
    const rename = new Map<string, string>(spec.guests.map((g: Json, i: number) => [g.name, v.names[i]!]));
    spec.guests.forEach((g: Json, i: number) =>
      Object.assign(g, { name: v.names[i], cores: v.cores[i], memoryGib: v.memory[i], ipv4: `10.30.0.${v.hosts[i]}` }),
    );
    for (const c of spec.connections) for (const side of ['from', 'to']) c[side] = rename.get(c[side]) ?? c[side];
    spec.guests = v.order.map((i) => spec.guests[i]);
    return spec;
  }

  it('from validateEnvironment and, identically, from YAML', () => {
    fc.assert(
      fc.property(variation, (v) => {
        const spec = vary(v);
        const env = validateEnvironment(spec, 'v.yaml');
        expect(env.guests.map((g) => g.name)).toEqual(spec.guests.map((g: Json) => g.name));
        expect(env.guests.map((g) => g.cores)).toEqual(spec.guests.map((g: Json) => g.cores));
        expect(parseEnvironmentYaml(stringify(spec), 'v.yaml')).toEqual(env);
      }),
      { numRuns: 100 },
    );
  });
});
