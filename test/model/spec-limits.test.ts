/**
 * The validator on hostile input: it reports the first MAX_REPORTED_PROBLEMS problems and counts
 * the rest, prints no value or path longer than MAX_SHOWN_CHARS, and JSON spec files (read with
 * JSON.parse) still point at file:line:column. How long this takes is measured by `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { junkGuestsSpec, junkKeysJson, junkKeysYaml } from '../../bench/generate-junk';
import { boundedJson, InvalidSpecError, MAX_REPORTED_PROBLEMS, MAX_SHOWN_CHARS, showValue } from '../../model/errors';
import { parseEnvironmentJson, parseEnvironmentYaml } from '../../model/load';
import { validateEnvironment } from '../../model/validate';
import { smallSpec } from '../fixtures/specs';

/** The InvalidSpecError `fn` throws; fails the test when it throws nothing or something else. */
function invalid(fn: () => unknown): InvalidSpecError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidSpecError);
    return err as InvalidSpecError;
  }
  throw new Error('the spec was accepted');
}

/** 1-based line:column of the first occurrence of `needle`, or of the text right after it. */
function position(text: string, needle: string, after = false): string {
  const before = text.slice(0, text.indexOf(needle) + (after ? needle.length : 0)).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

describe('the problem limit', () => {
  it('keeps the first 50 problems, counts the rest and says "and N more"', () => {
    const spec = smallSpec();
    for (let i = 0; i < 180; i++) spec[`unknown${i}`] = i;
    const err = invalid(() => validateEnvironment(spec, 'junk.yaml'));
    expect(MAX_REPORTED_PROBLEMS).toBe(50);
    expect(err.errors).toHaveLength(50);
    expect(err.total).toBe(180);
    expect(err.errors[0]!.message).toBe(
      'unknown0: is not a known field. Known fields: name, description, cluster, networks, admin, guests, zfsPools, storageBoxes, connections, secrets, backend, checks.',
    );
    const text = err.format();
    expect(text.split('\n')[0]).toBe('junk.yaml: 180 problems in the environment spec:');
    expect(text.split('\n').at(-1)).toBe('  ... and 130 more (the first 50 are shown; fix these and run again)');
    expect(err.toJSON()).toMatchObject({ total: 180, omitted: 130 });
  });

  it('counts problems across every part of the spec, also past the limit', () => {
    const err = invalid(() => validateEnvironment(junkGuestsSpec(2000), 'junk.yaml'));
    expect(err.errors).toHaveLength(50);
    // Each junk guest has eight wrong fields; none of them is lost from the count.
    expect(err.total).toBe(2000 * 8);
  });

  it('reports fewer than 50 problems exactly as before, without a count line', () => {
    const spec = smallSpec();
    spec.unknownA = 1;
    const err = invalid(() => validateEnvironment(spec, 'one.yaml'));
    expect(err.total).toBe(1);
    expect(err.format()).toBe(
      'one.yaml: 1 problem in the environment spec:\n  - unknownA: is not a known field. Known fields: name, description, cluster, networks, admin, guests, zfsPools, storageBoxes, connections, secrets, backend, checks.',
    );
  });
});

describe('long values and keys', () => {
  const huge = 'v'.repeat(1_000_000);

  it('prints at most 200 characters of a value, in text and in --json', () => {
    const spec = smallSpec();
    spec.guests[0].name = huge;
    spec.cluster.vmIdRange = { from: 300, to: 200, note: huge };
    const err = invalid(() => validateEnvironment(spec, 'long.yaml'));
    for (const e of err.errors) {
      const json = JSON.stringify(e.toJSON());
      expect(json.length).toBeLessThan(1000);
      expect(e.message.length).toBeLessThan(600);
    }
    expect(err.errors.map((e) => e.message)).toContain(
      `guests[0].name: has the wrong format (got "${'v'.repeat(76)}...). Use lowercase letters, digits and hyphens, starting with a letter (it becomes a host name).`,
    );
  });

  it('clips a huge unknown key in the path', () => {
    const spec = smallSpec();
    spec[huge] = 1;
    const [e] = invalid(() => validateEnvironment(spec, 'long.yaml')).errors;
    expect(e!.message.startsWith(`${'v'.repeat(MAX_SHOWN_CHARS - 3)}...: is not a known field.`)).toBe(true);
    expect(JSON.stringify(e!.toJSON()).length).toBeLessThan(1000);
  });

  it('serializes values like JSON.stringify, up to the limit', () => {
    const value = { a: [1, 'two', null, undefined, true], b: undefined, c: { d: 1.5 }, e: 12n };
    expect(boundedJson(value, 1000)).toBe('{"a":[1,"two",null,null,true],"c":{"d":1.5},"e":"12n"}');
    // Past the limit it stops: a few characters over says "too long" without reading the rest.
    expect(boundedJson(huge, 200)!.length).toBe(203);
    expect(showValue({ list: new Array(1_000_000).fill(7) })).toBe(`{"list":[${'7,'.repeat(34)}...`);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(showValue(circular)).toBe('[object Object]');
  });
});

describe('a 5 MB spec of unknown keys', () => {
  it('reports 50 problems and a count, in well under 100 KB of text (YAML)', () => {
    const text = junkKeysYaml(5_000_000);
    const err = invalid(() => parseEnvironmentYaml(text, 'junk.yaml'));
    expect(err.errors).toHaveLength(50);
    expect(err.total).toBeGreaterThan(50_000);
    expect(err.format().length).toBeLessThan(100_000);
    expect(JSON.stringify(err.toJSON()).length).toBeLessThan(100_000);
    // An unknown field points at its value, as every other problem does.
    expect(err.errors[0]!.location).toBe(`junk.yaml:${position(text, 'unknownKey0: ', true)}`);
  });

  it('reports 50 problems and a count, with locations (JSON)', () => {
    const text = junkKeysJson(5_000_000);
    const err = invalid(() => parseEnvironmentJson(text, 'junk.json'));
    expect(err.errors).toHaveLength(50);
    expect(err.total).toBeGreaterThan(50_000);
    expect(err.format().length).toBeLessThan(100_000);
    expect(err.errors[49]!.location).toBe(`junk.json:${position(text, '"unknownKey49": ', true)}`);
  });
});

describe('JSON spec files', () => {
  const text = `${JSON.stringify(smallSpec(), null, 2)}\n`;

  it('parse into the same environment as the object', () => {
    expect(parseEnvironmentJson(text, 'small.json')).toEqual(validateEnvironment(smallSpec(), 'small.json'));
  });

  it('give a spec error the file:line:column of the offending value', () => {
    const bad = text.replace('"10.30.0.10"', '"10.30.0.10/24"');
    const [e, ...rest] = invalid(() => parseEnvironmentJson(bad, 'small.json')).errors;
    expect(rest).toEqual([]);
    expect(e!.message).toBe(
      `small.json:${position(bad, '"10.30.0.10/24"')}: guests[1].ipv4: must be an address without a prefix length (got "10.30.0.10/24"). Write 10.30.0.10; the prefix comes from the network's cidr.`,
    );
  });

  it('point a missing field at the object that lacks it', () => {
    const spec = smallSpec();
    delete spec.guests[1].role;
    const bad = JSON.stringify(spec, null, 2);
    const [e] = invalid(() => parseEnvironmentJson(bad, 'small.json')).errors;
    expect(e!.path).toBe('guests[1].role');
    const guestStart = bad.lastIndexOf('{', bad.indexOf('"name": "web"'));
    const before = bad.slice(0, guestStart).split('\n');
    expect(e!.location).toBe(`small.json:${before.length}:${before.at(-1)!.length + 1}`);
  });

  it.each([
    [
      'a trailing comma',
      '{\n  "name": "a",\n}',
      'small.json:3:1: (root): is not valid JSON: Expected double-quoted property name. Fix the JSON syntax at that line (JSON allows no comments and no trailing commas; a .yaml file does).',
    ],
    [
      'a repeated key',
      '{\n  "name": "a",\n  "name": "b"\n}',
      'small.json:3:3: name: repeats a key of the same object. Keep one of them: JSON readers silently drop all but the last.',
    ],
  ])('reject %s at its line and column', (_what, bad, message) => {
    const err = invalid(() => parseEnvironmentJson(bad, 'small.json'));
    expect(err.errors.map((e) => e.message)).toEqual([message]);
  });
});
