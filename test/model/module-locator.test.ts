/**
 * Property test of where TypeScript spec errors point: spec modules are generated with their
 * guests written in every shape a team uses (inline, a constant, an imported constant, a spread,
 * a spread that cannot be followed, a helper call, `.map()`), one field made wrong and its bad
 * value written as a literal, a constant or an imported constant. The error must point at the
 * exact line the generator knows holds that property or the expression that produced it, that
 * line must really contain it, and a value changed after it was written gets no line at all.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError, loadEnvironmentFile } from '../../model';
import { TS_GUEST_REST, tsSpecModule } from '../fixtures/spec-error-cases';

const SHAPES = ['inline', 'const', 'imported', 'spread', 'opaque-spread', 'helper', 'map', 'mutated'] as const;
type Shape = (typeof SHAPES)[number];
const FIELDS = ['name', 'ipv4', 'cores', 'memoryGib', 'datastore'] as const;
type Field = (typeof FIELDS)[number];
const VALUE_FORMS = ['literal', 'const', 'imported'] as const;
type ValueForm = (typeof VALUE_FORMS)[number];
/** How `guests` holds the elements: written in it, a constant, or a spread of a constant. */
const CONTAINERS = ['literal', 'const', 'spread'] as const;
type Container = (typeof CONTAINERS)[number];

/** The spec path of each field within a guest. */
const PATH: Record<Field, string> = { name: 'name', ipv4: 'ipv4', cores: 'cores', memoryGib: 'memoryGib', datastore: 'disks[0].datastore' };
/** A wrong value per field, as TypeScript source, each with exactly one validation error. */
const BAD: Record<Field, string> = { name: "'Bad_Name'", ipv4: "'10.30.0.250/24'", cores: "'two'", memoryGib: '0', datastore: "'tank'" };
const REST = "kind: 'vm', role: 'web', node: 'pve1'";

interface Case {
  readonly shapes: readonly Shape[];
  readonly container: Container;
  readonly bad: { readonly guest: number; readonly field: Field; readonly form: ValueForm };
}

/** Source files keeping count of their lines, so the generator knows where it wrote each thing. */
class Files {
  readonly lines: Record<string, string[]> = { 'env.ts': [], 'parts.ts': [], 'values.ts': [] };
  /** Appends a line and returns its 1-based number. */
  add(file: string, line: string): number {
    return this.lines[file]!.push(line);
  }
}

/** Writes the case's spec module; returns the place (`file:line`) the error must point at, or the bare file. */
function writeCase(dir: string, c: Case): { expected: string; needles: string[] } {
  const f = new Files();
  const imports: string[] = [];
  const valueOf = (i: number, field: Field, file: string): string => {
    const valid: Record<Field, string> = { name: `'g${i}'`, ipv4: `'10.30.0.${10 + i}'`, cores: '2', memoryGib: '4', datastore: "'local-lvm'" };
    if (c.bad.guest !== i || c.bad.field !== field || c.shapes[i] === 'mutated') return valid[field];
    if (c.bad.form === 'literal') return BAD[field];
    if (c.bad.form === 'imported' && file === 'env.ts') {
      f.add('values.ts', `export const bad${i} = ${BAD[field]};`);
      imports.push(`import { bad${i} } from './values';`);
      return `bad${i}`;
    }
    f.add(file, `const bad${i} = ${BAD[field]};`);
    return `bad${i}`;
  };
  /** Where guest i's bad field is: a line already known, or the element's line (found below), and what that line holds. */
  const where: { file: string; line?: number; needle: string }[] = [];
  const elements: string[] = [];
  c.shapes.forEach((shape, i) => {
    const v = (k: Field, file = 'env.ts') => valueOf(i, k, file);
    const machine = (file: string) =>
      `cores: ${v('cores', file)}, memoryGib: ${v('memoryGib', file)}, disks: [{ sizeGib: 20, datastore: ${v('datastore', file)} }]`;
    const whole = (file: string) => `{ name: ${v('name', file)}, ipv4: ${v('ipv4', file)}, ${machine(file)}, ${REST} }`;
    const fromBase = c.bad.field !== 'name' && c.bad.field !== 'ipv4';
    if (shape === 'inline') {
      elements.push(whole('env.ts'));
      where.push({ file: 'env.ts', needle: 'FIELD' });
    } else if (shape === 'const' || shape === 'mutated') {
      const line = f.add('env.ts', `const guest${i} = ${whole('env.ts')};`);
      if (shape === 'mutated' && c.bad.guest === i) f.add('env.ts', `guest${i}.${PATH[c.bad.field]} = ${BAD[c.bad.field]} as never;`);
      elements.push(`guest${i}`);
      where.push(shape === 'mutated' ? { file: 'env.ts', needle: '' } : { file: 'env.ts', line, needle: 'FIELD' });
    } else if (shape === 'imported') {
      const line = f.add('parts.ts', `export const guest${i} = ${whole('parts.ts')};`);
      imports.push(`import { guest${i} } from './parts';`);
      elements.push(`guest${i}`);
      where.push({ file: 'parts.ts', line, needle: 'FIELD' });
    } else if (shape === 'spread' || shape === 'opaque-spread') {
      const baseLine = f.add('env.ts', `const base${i} = { ${machine('env.ts')}, ${REST} };`);
      const spread = shape === 'spread' ? `...base${i}` : `...(never ? tiny : base${i})`;
      elements.push(`{ name: ${v('name')}, ${spread}, ipv4: ${v('ipv4')} }`);
      if (!fromBase) where.push({ file: 'env.ts', needle: 'FIELD' });
      else where.push(shape === 'spread' ? { file: 'env.ts', line: baseLine, needle: 'FIELD' } : { file: 'env.ts', needle: spread });
    } else if (shape === 'helper') {
      elements.push(`vm(${FIELDS.map((k) => v(k)).join(', ')})`);
      where.push({ file: 'env.ts', needle: 'vm(' });
    } else {
      const params = FIELDS.join(', ');
      elements.push(
        `...[[${FIELDS.map((k) => v(k)).join(', ')}]].map(([${params}]) => ({ name, ipv4, cores, memoryGib, disks: [{ sizeGib: 20, datastore }], ${REST} }))`,
      );
      where.push({ file: 'env.ts', needle: '.map(' });
    }
  });
  const head = [
    ...new Set(imports),
    "const never = process.argv.includes('--never');",
    'const tiny = { cores: 1 };',
    `function vm(name: string, ipv4: string, cores: unknown, memoryGib: unknown, datastore: string) {`,
    `  return { name, ipv4, cores, memoryGib, disks: [{ sizeGib: 20, datastore }], ${REST} };`,
    `}`,
  ];
  const env = f.lines['env.ts']!;
  env.unshift(...head);
  const shift = head.length;
  const elementLines: number[] = [];
  if (c.container !== 'literal') {
    env.push('const allGuests = [');
    for (const e of elements) elementLines.push(f.add('env.ts', `  ${e},`));
    env.push('];');
  }
  env.push(
    'export default {',
    "  name: 'small',",
    "  cluster: { nodes: [{ name: 'pve1', cpuThreads: 8, memoryGib: 16 }] },",
    "  networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.30.0.0/24', gateway: '10.30.0.1' }],",
    "  admin: { cidrs: ['10.99.0.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixtureFixture ops@example'] },",
  );
  if (c.container === 'const') env.push('  guests: allGuests,');
  else if (c.container === 'spread') env.push('  guests: [...allGuests],');
  else {
    env.push('  guests: [');
    for (const e of elements) elementLines.push(f.add('env.ts', `    ${e},`));
    env.push('  ],');
  }
  env.push('};');
  for (const [file, lines] of Object.entries(f.lines)) if (lines.length > 0) fs.writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);

  const i = c.bad.guest;
  const w = where[i]!;
  const field = c.bad.field;
  if (c.shapes[i] === 'mutated') return { expected: 'env.ts', needles: [] };
  // A bad value imported into env.ts is pointed at in values.ts, where it is written.
  if (c.bad.form === 'imported' && w.needle === 'FIELD' && w.file === 'env.ts') {
    return { expected: `values.ts:${f.lines['values.ts']!.findIndex((l) => l.startsWith(`export const bad${i} `)) + 1}`, needles: [BAD[field]] };
  }
  const line = w.line === undefined ? elementLines[i]! : w.file === 'env.ts' ? w.line + shift : w.line;
  return { expected: `${w.file}:${line}`, needles: [w.needle === 'FIELD' ? `${field}:` : w.needle] };
}

describe('TypeScript spec errors point at the true line, never a wrong one', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-locate-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  let run = 0;

  const cases = fc.array(fc.constantFrom(...SHAPES), { minLength: 1, maxLength: 4 }).chain((shapes) =>
    fc.record({
      shapes: fc.constant(shapes),
      container: fc.constantFrom(...CONTAINERS),
      bad: fc.record({ guest: fc.nat(shapes.length - 1), field: fc.constantFrom(...FIELDS), form: fc.constantFrom(...VALUE_FORMS) }),
    }),
  );

  it('for randomly placed bad values', () => {
    fc.assert(
      fc.property(cases, (c) => {
        // A fresh directory per run: Node caches required modules by path.
        const dir = path.join(root, `run-${run++}`);
        fs.mkdirSync(dir);
        const { expected, needles } = writeCase(dir, c);
        let error: InvalidSpecError | undefined;
        try {
          loadEnvironmentFile(path.join(dir, 'env.ts'));
        } catch (err) {
          error = err as InvalidSpecError;
        }
        expect(error, JSON.stringify(c)).toBeInstanceOf(InvalidSpecError);
        expect(error!.errors.map((e) => e.path)).toEqual([`guests[${c.bad.guest}].${PATH[c.bad.field]}`]);
        const [e] = error!.errors;
        const m = /^(.*?)(?::(\d+):(\d+))?$/.exec(e!.location!)!;
        const file = path.relative(dir, m[1]!);
        expect(m[2] ? `${file}:${m[2]}` : file, `${JSON.stringify(c)}\n${fs.readFileSync(path.join(dir, 'env.ts'), 'utf8')}`).toBe(expected);
        if (!m[2]) return;
        // The line itself holds the property, or the expression the message says made the value.
        const text = fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[Number(m[2]) - 1]!;
        expect(
          needles.some((needle) => text.includes(needle)),
          `${text} lacks ${needles.join(' or ')}`,
        ).toBe(true);
        expect(Number(m[3])).toBeLessThanOrEqual(text.length);
        // The spread the message names is the one on that line (a long one shortened with "…").
        const spread = /^from the spread \.\.\.(.*?)…? on line /.exec(e!.origin ?? '');
        if (spread) expect(text).toContain(`...${spread[1]}`);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('the TypeScript compiler is loaded only for a spec with errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-lazy-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const load = path.resolve(__dirname, '../../model/load');

  /** Whether loading `source` as a spec module required the `typescript` package (in a fresh Node). */
  function loadsCompiler(name: string, source: string): boolean {
    fs.writeFileSync(path.join(dir, name), source);
    const script = `try { require(${JSON.stringify(load)}).loadEnvironmentFile(${JSON.stringify(path.join(dir, name))}); } catch {}
      process.stdout.write(String(Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]typescript[\\\\/]/.test(k))));`;
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout === 'true';
  }

  it('not for a valid spec', () => {
    expect(loadsCompiler('valid.ts', tsSpecModule('', `    { name: 'web', ipv4: '10.30.0.10', ${TS_GUEST_REST} },`))).toBe(false);
  });

  it('for a spec with a mistake', () => {
    expect(loadsCompiler('invalid.ts', tsSpecModule('', `    { name: 'web', ipv4: '10.30.0.300', ${TS_GUEST_REST} },`))).toBe(true);
  });
});

describe('TypeScript spec errors: the ways a module can be written', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-shapes-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const bad = `    { name: 'web', ipv4: '10.30.0.300', ${TS_GUEST_REST} },`;
  const spec = tsSpecModule('', bad).replace('export default {', '{');

  it.each<[string, Record<string, string>, string, string?]>([
    ['exported as `spec`', { 'env.ts': `export const spec = ${spec}` }, 'env.ts:7:26'],
    [
      'through defineEnvironment, satisfies and a const',
      {
        'env.ts': `const defineEnvironment = <T,>(s: T): T => s;\nconst env = defineEnvironment(${spec.replace(/;\n$/, '')} satisfies object);\nexport { env as default };\n`,
      },
      'env.ts:8:26',
    ],
    [
      'through a namespace import and a re-export',
      {
        'guests.ts': `export const web = { name: 'web', ipv4: '10.30.0.300', ${TS_GUEST_REST} };\n`,
        'index.ts': "export { web as frontend } from './guests';\n",
        'env.ts': tsSpecModule("import * as parts from './index';\n", '    parts.frontend,'),
      },
      'guests.ts:1:41',
      'through parts.frontend on line 8 of env.ts',
    ],
    [
      'with two spreads that could each hold the key: the object, not a guess',
      {
        'env.ts': tsSpecModule(
          "const a = process.argv.length > 99 ? { ipv4: '10.30.0.11' } : {};\nconst b = process.argv.length > 99 ? { ipv4: '10.30.0.12' } : {};\n",
          `    { ipv4: '10.30.0.300', ...a, ...b, name: 'web', ${TS_GUEST_REST} },`,
        ),
      },
      'env.ts:9:5',
    ],
    [
      'with a computed key that could be the field: the object',
      { 'env.ts': tsSpecModule("const field = 'ipv4';\n", `    { name: 'web', [field]: '10.30.0.300', ${TS_GUEST_REST} },`) },
      'env.ts:8:5',
    ],
    [
      'made by a function the module exports',
      { 'env.ts': `function build() {\n  return ${spec.replace(/;\n$/, '')};\n}\nexport default build();\n` },
      'env.ts:12:16',
      'from the call build() on line 12',
    ],
  ])('%s', (_name, files, expected, origin) => {
    const dir = fs.mkdtempSync(path.join(root, 'case-'));
    for (const [file, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), source);
    const specFile = Object.keys(files).find((f) => f.startsWith('env.'))!;
    let error: InvalidSpecError | undefined;
    try {
      loadEnvironmentFile(path.join(dir, specFile));
    } catch (err) {
      error = err as InvalidSpecError;
    }
    expect(error).toBeInstanceOf(InvalidSpecError);
    const [e] = error!.errors;
    expect(e!.path).toBe('guests[0].ipv4');
    expect(path.relative(dir, e!.location!.replace(/:\d+:\d+$/, '')) + e!.location!.match(/:\d+:\d+$/)![0]).toBe(expected);
    expect(e!.origin).toBe(origin);
  });
});

describe('TypeScript spec errors: unusual literals', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-unusual-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a hole, a computed template key and a getter each get a true place', () => {
    const source = tsSpecModule(
      '',
      `    ,\n    { name: 'web', [\`ipv4\`]: '10.30.0.300', ${TS_GUEST_REST} },\n  ],\n  get backend() {\n    return { type: 'consul' };\n  },\n  guestsEnd: [`,
    ).replace('  guestsEnd: [\n  ],\n', '');
    fs.writeFileSync(path.join(dir, 'env.ts'), source);
    let error: InvalidSpecError | undefined;
    try {
      loadEnvironmentFile(path.join(dir, 'env.ts'));
    } catch (err) {
      error = err as InvalidSpecError;
    }
    expect(source.split('\n').slice(5, 12)).toEqual([
      '  guests: [',
      '    ,',
      `    { name: 'web', [\`ipv4\`]: '10.30.0.300', ${TS_GUEST_REST} },`,
      '  ],',
      '  get backend() {',
      "    return { type: 'consul' };",
      '  },',
    ]);
    expect(error!.errors.map((e) => [e.path, e.location!.replace(/^.*env\.ts/, 'env.ts'), e.origin])).toEqual([
      // The hole has no element of its own: the list that holds it.
      ['guests[0]', 'env.ts:6:11', undefined],
      ['guests[1].ipv4', 'env.ts:8:30', undefined],
      ['backend.type', 'env.ts:10:3', 'from the getter backend on line 10'],
    ]);
  });
});
