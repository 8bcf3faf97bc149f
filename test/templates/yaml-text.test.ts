/**
 * yamlText must write exactly what the `yaml` package's stringify writes with `lineWidth: 0`:
 * on generated data full of strings yaml has to quote, fold into block literals or escape, and on
 * every YAML file every environment renders.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { generateEnvironment } from '../../bench/generate-environment';
import { validateEnvironment, type Environment } from '../../model';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import { renderCloudInit } from '../../templates/cloud-init';
import { renderEnvironment } from '../../templates/render';
import { yamlText } from '../../templates/yaml-text';

/** Strings built from the pieces yaml's quoting, escaping and block rules look at. */
const piece = fc.constantFrom(
  'a',
  'Z',
  '_',
  '/',
  '-',
  '?',
  ':',
  ': ',
  ' #',
  '#',
  '"',
  "'",
  '\\',
  '\n',
  '\n\n',
  '\t',
  ' ',
  '  ',
  '\r',
  '\x00',
  '\x7f',
  '\u0085',
  '\u00e9',
  '\u{1F600}',
  '\ud800',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '---',
  '...',
  '~',
  'null',
  'Null',
  'true',
  'FALSE',
  'yes',
  'no',
  'on',
  '0',
  '12',
  '-3',
  '1.5',
  '.5',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '-.Inf',
  '.nan',
  '=',
  '${x}',
  'http://h:80/p',
);
const tricky = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
const text = fc.oneof(tricky, fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constant('x'.repeat(1030)));
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, Infinity, -Infinity, NaN), fc.boolean(), fc.constant(null));
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, scalar, tie('list'), tie('map')),
  list: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 4 }),
  map: fc.dictionary(text, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
})).value;
/** Sometimes the same object twice, which yaml writes as an anchor and an alias by default. */
const shared = data.map((v) => ({ first: v, again: v, list: [v, { v }] }));

describe('yamlText', () => {
  it.each([true, false])('writes what yaml writes (aliasDuplicateObjects: %s)', (aliasDuplicateObjects) => {
    fc.assert(
      fc.property(fc.oneof(data, shared), (v) => {
        expect(yamlText(v, { aliasDuplicateObjects })).toBe(stringify(v, { lineWidth: 0, aliasDuplicateObjects }));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes what yaml writes for its own defaults when no option is given', () => {
    const v = { a: [1, 'two: 2', { b: 'multi\nline\n' }], c: {}, d: [], e: null };
    expect(yamlText(v)).toBe(stringify(v, { lineWidth: 0 }));
    expect(yamlText(v)).toContain('  - b: |\n');
  });
});

/** Every YAML file of an environment: the compose files, the other rendered YAML and the cloud-init user-data. */
function yamlFiles(env: Environment): { name: string; content: string }[] {
  const out: { name: string; content: string }[] = [];
  for (const [guest, stacks] of renderEnvironment(env))
    for (const stack of stacks)
      for (const f of stack.files) if (/\.ya?ml$/.test(f.path)) out.push({ name: `${guest}/${stack.name}/${f.path}`, content: f.content });
  for (const guest of env.guests.filter((g) => g.kind === 'vm')) out.push({ name: `${guest.name}/user-data`, content: renderCloudInit(env, guest) });
  return out;
}

/** The file without its leading comment lines (headers pvestack adds around the YAML text). */
function body(content: string): string {
  return content.replace(/^(?:#[^\n]*\n)+/, '');
}

describe('yamlText on every rendered YAML file', () => {
  const envs: [string, () => Environment][] = [
    ...environmentNames().map((n): [string, () => Environment] => [n, () => loadEnvironment(n)]),
    ['generated-100', () => validateEnvironment(generateEnvironment(100), 'generated-100')],
  ];
  it.each(envs)('%s: each file is yaml’s text of its own data', (_name, load) => {
    const files = yamlFiles(load());
    for (const f of files) {
      const yamlBody = body(f.content);
      const js = parseDocument(yamlBody).toJS() as unknown;
      if (js === null || typeof js !== 'object') continue;
      // Aliases in a file mean the data shared an object: keep yaml's default then.
      const aliases = /(^|\s)\*[A-Za-z0-9]/.test(yamlBody);
      const expected = stringify(js, { lineWidth: 0, aliasDuplicateObjects: aliases });
      expect({ file: f.name, text: yamlBody }).toEqual({ file: f.name, text: expected });
      expect({ file: f.name, text: yamlText(js, { aliasDuplicateObjects: aliases }) }).toEqual({ file: f.name, text: expected });
    }
    expect(files.length).toBeGreaterThan(0);
  });
});
