import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckFailedError, formatReportText, runChecks } from '../../checks';
import { InvalidSpecError, SpecError } from '../../model/errors';
import { DEFAULT_LXC_TEMPLATE_SHA512 } from '../../model/lxc-template';
import { parseEnvironmentYaml } from '../../model/load';
import { validateEnvironment } from '../../model/validate';
import { loadEnvironment } from '../../stacks/registry';
import { mutated, SPEC_ERROR_CASES, TS_SPEC_ERROR_CASES, type Spec } from '../fixtures/spec-error-cases';
import { smallSpec, smallSpecYaml } from '../fixtures/specs';

/** The messages `validateEnvironment` reports for `input`; fails the test if it accepts it. */
function messages(input: unknown): string[] {
  try {
    validateEnvironment(input, 'small.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidSpecError);
    return (err as InvalidSpecError).errors.map((e) => e.message);
  }
  throw new Error('the spec was accepted');
}

describe('validateEnvironment: the fixture', () => {
  it('accepts the small spec and fills in defaults', () => {
    const env = validateEnvironment(smallSpec(), 'small.yaml');
    expect(env.guests.map((g) => g.name)).toEqual(['db', 'web', 'llm', 'cache', 'laptop']);
    expect(env.guests[3]!.lxc).toEqual(expect.objectContaining({ unprivileged: true }));
  });
});

describe('validateEnvironment: preconditions defaults', () => {
  it('fills in the Proxmox version, the auth mode, the installer storage and the template download', () => {
    const env = validateEnvironment(smallSpec(), 'small.yaml');
    expect(env.cluster).toEqual(expect.objectContaining({ minProxmoxVersion: '8.4', providerAuth: 'api-token' }));
    const pve1 = env.cluster.nodes[0]!;
    expect(pve1.datastores.map((d) => [d.id, d.content])).toEqual([
      ['local-lvm', ['images', 'rootdir']],
      ['local', ['iso', 'vztmpl', 'backup']],
    ]);
    expect([pve1.snippetDatastore, pve1.imageDatastore, pve1.templateDatastore]).toEqual(['local', 'local', 'local']);
    expect(env.cluster.nodes[1]!.gpus[0]!.allFunctions).toBe(false);
    expect(env.guests[3]!.lxc).toEqual({
      unprivileged: true,
      template: 'local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst',
      templateUrl: 'http://download.proxmox.com/images/system/ubuntu-24.04-standard_24.04-2_amd64.tar.zst',
      templateChecksum: DEFAULT_LXC_TEMPLATE_SHA512,
    });
  });

  it("downloads the template to the node's template datastore and keeps declared content", () => {
    const spec = smallSpec();
    spec.cluster.nodes[1].datastores = [
      { id: 'local-lvm', type: 'lvmthin' },
      { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
      { id: 'templates', type: 'nfs', content: ['vztmpl'] },
    ];
    spec.cluster.nodes[1].templateDatastore = 'templates';
    spec.cluster.providerAuth = 'root-password';
    const env = validateEnvironment(spec, 'small.yaml');
    expect(env.cluster.providerAuth).toBe('root-password');
    expect(env.cluster.nodes[1]!.datastores.map((d) => [d.id, d.content])).toEqual([
      ['local-lvm', ['images', 'rootdir']],
      ['local', ['iso', 'vztmpl', 'backup', 'snippets', 'import']],
      ['templates', ['vztmpl']],
    ]);
    expect(env.guests[3]!.lxc!.template).toBe('templates:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst');
  });
});

describe('validateEnvironment: one mistake, one exact message', () => {
  const cases = SPEC_ERROR_CASES;

  it.each(cases)('%s', (_name, mutate, expected) => {
    expect(messages(mutated(mutate))).toEqual([expected]);
  });

  it('reports a repeated name at the repeating name, plus what it breaks, all at once', () => {
    expect(messages(mutated((s) => (s.guests[1].name = 'db')))).toEqual([
      'guests[1].name: repeats the guest name of guests[0] (got "db"). Each guest name must be unique; rename one of them.',
      'connections[0].to: names a guest that does not exist (got "web"). Did you mean "db"? Targets may also be role:<role>.',
      'connections[1].from: names a guest that does not exist (got "web"). Did you mean "db"? Sources may also be internet, admin, role:<role>, cidr:<cidr>.',
    ]);
  });

  it('reports every missing section of an empty object', () => {
    expect(messages({})).toEqual([
      'name: is required. Add name to the environment.',
      'cluster: is required. Add cluster to the environment.',
      'networks: is required. Add networks to the environment.',
      'admin: is required. Add admin to the environment.',
      'guests: is required. Add guests to the environment.',
    ]);
  });

  it.each([null, 42, 'production', []])('rejects %j as a whole spec', (input) => {
    expect(messages(input)).toHaveLength(1);
    expect(messages(input)[0]).toMatch(/^\(root\): must be an object with fields, not /);
  });
});

describe('validateEnvironment: values that may be secrets are never echoed', () => {
  const PRIVATE_KEY =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----';
  const cases: [string, (s: Spec) => void, string, string][] = [
    [
      'a private key pasted as an admin key',
      (s) => (s.admin.sshKeys = [PRIVATE_KEY]),
      'b3BlbnNzaC1rZXkt',
      'admin.sshKeys[0]: is a private key, not a public key (value not shown). Remove it from the spec (rotate it if it was ever committed) and paste the matching .pub line instead.',
    ],
    [
      'a password as a secret env var name',
      (s) => (s.secrets['postgres-password'].env = 'hunter2-Sup3rSecret!'),
      'Sup3rSecret',
      'secrets.postgres-password.env: has the wrong format (value not shown: it may be a secret). Name an environment variable in UPPER_SNAKE_CASE; the value stays out of the repository.',
    ],
    [
      'a password as a secret reference',
      (s) => (s.guests[0].stacks[0].passwordSecret = 'Sup3r$ecret!'),
      'Sup3r$ecret',
      'guests[0].stacks[0].passwordSecret: has the wrong format (value not shown: it may be a secret). Name a secret declared under secrets (lowercase), never a value.',
    ],
    // Lowercase passwords pass the name format, so the reference check must not echo them either.
    [
      'a lowercase password as a secret reference',
      (s) => (s.guests[0].stacks[0].passwordSecret = 'correcthorsebattery'),
      'horsebat',
      'guests[0].stacks[0].passwordSecret: refers to a secret that is not declared (value not shown: it may be a secret). Declare the secret under secrets (<name>: { env: ..., description: ... }) and refer to it by that name; declared: postgres-password, vllm-api-key.',
    ],
    [
      'a password in a list of secret names',
      (s) => (s.guests[1].stacks[0].secrets = ['postgres-password', 'hunter2hunter2']),
      'hunter2',
      'guests[1].stacks[0].secrets[1]: refers to a secret that is not declared (value not shown: it may be a secret). Declare the secret under secrets (<name>: { env: ..., description: ... }) and refer to it by that name; declared: postgres-password, vllm-api-key.',
    ],
    [
      'a password as a number',
      (s) => (s.guests[0].stacks[0].passwordSecret = 73512984),
      '73512984',
      'guests[0].stacks[0].passwordSecret: must be a string, not a number (value not shown: it may be a secret). Name a secret declared under secrets (lowercase), never a value.',
    ],
    [
      'a password as an object',
      (s) => (s.guests[0].stacks[0].passwordSecret = { value: 'Sup3r$ecret!' }),
      'Sup3r$ecret',
      'guests[0].stacks[0].passwordSecret: must be a string, not an object (value not shown: it may be a secret). Name a secret declared under secrets (lowercase), never a value.',
    ],
    [
      'a password inside a URL typed as the API endpoint',
      (s) => (s.cluster.endpoint = 'https://root:Hunter2Secret@pve1:8006/ x'),
      'Hunter2',
      'cluster.endpoint: has the wrong format (got "https://root:…@pve1:8006/ x"). Write the API URL without credentials, e.g. https://pve1.example.net:8006.',
    ],
    [
      'a password as a secret name',
      (s) => (s.secrets = { 'Sup3r$ecret!': { env: 'POSTGRES_PASSWORD', description: 'App database password' }, ...s.secrets }),
      'Sup3r$ecret',
      'secrets.<key 1>: has the wrong format (value not shown: it may be a secret). Secret names are lowercase, e.g. postgres-password; the value itself never goes in the spec.',
    ],
  ];
  it.each(cases)('%s', (_name, mutate, canary, expected) => {
    const spec = mutated(mutate);
    expect(messages(spec)).toEqual([expected]);
    try {
      validateEnvironment(spec, 'small.yaml');
    } catch (err) {
      expect(JSON.stringify((err as InvalidSpecError).toJSON())).not.toContain(canary);
      expect((err as InvalidSpecError).format()).not.toContain(canary);
    }
  });
});

describe('parseEnvironmentYaml: locations', () => {
  /** 1-based line and column of the first occurrence of `needle` in `text`. */
  function position(text: string, needle: string): string {
    const offset = text.indexOf(needle);
    expect(offset).toBeGreaterThanOrEqual(0);
    const before = text.slice(0, offset).split('\n');
    return `${before.length}:${before[before.length - 1]!.length + 1}`;
  }

  function errorsOf(text: string): SpecError[] {
    try {
      parseEnvironmentYaml(text, 'small.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidSpecError);
      return [...(err as InvalidSpecError).errors];
    }
    throw new Error('the YAML was accepted');
  }

  it('parses the valid fixture', () => {
    expect(parseEnvironmentYaml(smallSpecYaml(), 'small.yaml').name).toBe('small');
  });

  it('gives a spec error the file:line:column of the offending value', () => {
    const text = smallSpecYaml().replace('ipv4: 10.30.0.10\n', 'ipv4: 10.30.0.10/24\n');
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error!.location).toBe(`small.yaml:${position(text, '10.30.0.10/24')}`);
    expect(error!.message).toBe(
      `small.yaml:${position(text, '10.30.0.10/24')}: guests[1].ipv4: must be an address without a prefix length (got "10.30.0.10/24"). Write 10.30.0.10; the prefix comes from the network's cidr.`,
    );
  });

  it('points a missing field at the object that lacks it', () => {
    const text = smallSpecYaml().replace('    role: web\n', '');
    const [error] = errorsOf(text);
    expect(error!.path).toBe('guests[1].role');
    expect(error!.location).toBe(`small.yaml:${position(text, 'name: web')}`);
  });

  it('reports an unclosed [ at the line that opens it, not where the parser noticed', () => {
    const text = smallSpecYaml().replace('  cidrs: [10.99.0.0/24]', '  cidrs: [10.99.0.0/24');
    expect(errorsOf(text).map((e) => e.message)).toEqual([
      `small.yaml:${position(text, '[10.99')}: (root): is not valid YAML: this [ is never closed. Close it with ] on the same entry, or write it as indented lines.`,
    ]);
  });

  it('rejects a duplicated key with the line of the duplicate', () => {
    const text = smallSpecYaml().replace('name: small\n', 'name: small\nname: other\n');
    const [error] = errorsOf(text);
    expect(error!.location).toBe(`small.yaml:${position(text, 'name: other')}`);
    expect(error!.message).toContain('is not valid YAML');
  });
});

describe('spec files: the mistakes of a first environment, one exact message each', () => {
  /** Every message `parseEnvironmentYaml` reports for `text` read from `file`. */
  function fileMessages(text: string, file = 'env.yaml'): string[] {
    try {
      parseEnvironmentYaml(text, file);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidSpecError);
      return (err as InvalidSpecError).errors.map((e) => e.message);
    }
    throw new Error('the file was accepted');
  }
  const yaml = smallSpecYaml();
  const json = JSON.stringify(smallSpec(), null, 2);
  const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

  it.each<[string, string, string, string]>([
    [
      'an empty file',
      '',
      'env.yaml',
      'env.yaml:1:1: (root): is empty: the file describes no environment. Start from `pvestack init` or an example in docs/examples/; an environment needs at least name, cluster, networks, admin and guests.',
    ],
    [
      'a file of comments only',
      '# my environment\n# todo\n',
      'env.yaml',
      'env.yaml:1:1: (root): is empty: the file describes no environment. Start from `pvestack init` or an example in docs/examples/; an environment needs at least name, cluster, networks, admin and guests.',
    ],
    [
      'a JSON file missing a comma',
      '{\n  "name": "x"\n  "cluster": {}\n}\n',
      'env.json',
      "env.json:3:3: (root): is not valid JSON: Expected ',' or '}' after property value. Fix the JSON syntax at that line (JSON allows no comments and no trailing commas; a .yaml file does).",
    ],
    [
      'a JSON file with a trailing comma',
      '{\n  "name": "x",\n}\n',
      'env.json',
      'env.json:3:1: (root): is not valid JSON: Expected double-quoted property name. Fix the JSON syntax at that line (JSON allows no comments and no trailing commas; a .yaml file does).',
    ],
    [
      'a JSON file cut short',
      '{\n  "name": ',
      'env.json',
      'env.json:2:11: (root): is not valid JSON: the file ends before the JSON is complete. Fix the JSON syntax at that line (JSON allows no comments and no trailing commas; a .yaml file does).',
    ],
    [
      'a list used as a key',
      'name: x\n[a, b]: c\n',
      'env.yaml',
      'env.yaml:2:1: (root): is not valid here: a key is a list or an object. Keys are plain names followed by a colon; a list item starts with "- " on its own line.',
    ],
  ])('%s', (_name, text, file, expected) => {
    expect(fileMessages(text, file)).toEqual([expected]);
  });

  it('reports one bad indent once, at its line, instead of every line after it', () => {
    const text = yaml.replace('    role: web\n', '   role: web\n');
    expect(fileMessages(text)).toEqual([
      `env.yaml:${lineOf(text, '   role: web')}:1: (root): is not valid YAML: Sequence item without - indicator. Check the indentation and punctuation of that line: the keys of one object start at the same column, list items with "- ". (11 later syntax errors not shown: they usually follow from this one.)`,
    ]);
  });

  it('reports an unclosed { at the line that opens it', () => {
    const text = yaml.replace('  - { from: web, to: db, ports: tcp/5432 }', '  - { from: web, to: db, ports: tcp/5432');
    expect(fileMessages(text)).toEqual([
      `env.yaml:${lineOf(text, '{ from: web')}:5: (root): is not valid YAML: this { is never closed. Close it with } on the same entry, or write it as indented lines.`,
    ]);
  });

  it('locates spec errors in a JSON file like in YAML', () => {
    const text = json.replace('"10.30.0.10"', '"10.30.0.10/24"');
    expect(fileMessages(text, 'env.json')[0]).toMatch(
      new RegExp(`^env\\.json:${lineOf(text, '10.30.0.10/24')}:\\d+: guests\\[1\\]\\.ipv4: must be an address without a prefix length`),
    );
  });

  it('prints no Node warning (mapAsMap) for a key that is a map', () => {
    const warnings: unknown[] = [];
    const listener = (w: unknown) => warnings.push(w);
    const emit = process.emitWarning;
    process.emitWarning = ((w: unknown) => warnings.push(w)) as typeof process.emitWarning;
    process.on('warning', listener);
    try {
      expect(fileMessages('name: x\n? { a: 1 }\n: c\n')).toHaveLength(1);
    } finally {
      process.emitWarning = emit;
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });

  it('gives a check finding the file:line of the value (an address outside the CIDR)', () => {
    const text = yaml.replace('ipv4: 10.30.0.10\n', 'ipv4: 10.31.0.10\n');
    const report = runChecks(parseEnvironmentYaml(text, 'env.yaml'));
    const finding = report.findings.find((f) => f.rule === 'PVE-NET-001')!;
    expect(finding.location).toBe(`env.yaml:${lineOf(text, '10.31.0.10')}:11`);
    expect(formatReportText(report)).toContain(`ERROR PVE-NET-001  env.yaml:${lineOf(text, '10.31.0.10')}:11: guests[1].ipv4`);
    // synth, deploy and up refuse with the same places.
    expect(new CheckFailedError([report], 'synth wrote nothing', 'Fix them.').format()).toContain(
      `PVE-NET-001  env.yaml:${lineOf(text, '10.31.0.10')}:11: guests[1].ipv4: web has 10.31.0.10`,
    );
  });

  it('suggests the registered environment a typo meant', () => {
    expect(() => loadEnvironment('prodution')).toThrow(/^unknown environment "prodution"\. Did you mean "production"\? Known environments: dev, /);
  });
});

/** A small TypeScript spec; its one guest's address is the only '10.30.0.10' literal in it. */
const TS_SPEC = `export default {
  name: 'small',
  cluster: { nodes: [{ name: 'pve1', cpuThreads: 8, memoryGib: 16 }] },
  networks: [{ name: 'private', bridge: 'vmbr1', cidr: '10.30.0.0/24', gateway: '10.30.0.1' }],
  admin: { cidrs: ['10.99.0.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixtureFixture ops@example'] },
  guests: [
    { name: 'web', kind: 'vm', role: 'web', node: 'pve1', cores: 2, memoryGib: 4, ipv4: '10.30.0.10', disks: [{ sizeGib: 20, datastore: 'local-lvm' }] },
  ],
};
`;

/** 1-based column of the address literal (its opening quote) on line 7 of TS_SPEC. */
const IPV4_COLUMN = TS_SPEC.split('\n')[6]!.indexOf("'10.30.0.10'") + 1;

describe("TypeScript spec files: the author's mistakes are user errors (exit 2) with file and line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-spec-ts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const CLI = path.resolve(__dirname, '../../bin/pvestack.js');

  /** Runs `pvestack check <file>` on a spec written to a scratch directory. */
  function check(name: string, source: string): { status: number | null; stderr: string; json: Record<string, unknown> } {
    fs.writeFileSync(path.join(dir, name), source);
    const text = spawnSync(process.execPath, [CLI, 'check', name], { cwd: dir, encoding: 'utf8' });
    const json = spawnSync(process.execPath, [CLI, '--json', 'check', name], { cwd: dir, encoding: 'utf8' });
    return { status: text.status, stderr: text.stderr, json: JSON.parse(json.stdout) as Record<string, unknown> };
  }

  it.each<[string, string, string, string]>([
    [
      'a spec that throws',
      'throws.ts',
      "const nodes: string[] = [];\nif (nodes.length === 0) throw new Error('no nodes configured');\nexport default {};\n",
      'error: throws.ts: 1 problem in the environment spec:\n  - throws.ts:2:31: (root): throws while building the environment: no nodes configured. A spec module must build and export the environment without throwing; fix the statement at that line.\n',
    ],
    [
      'a spec with a syntax error',
      'syntax.ts',
      "export default {\n  name: 'x',\n  cluster: { nodes: [ },\n};\n",
      'error: syntax.ts: 1 problem in the environment spec:\n  - syntax.ts:3:23: (root): does not compile: Unexpected "}". Fix the TypeScript syntax at that line (`npx tsc --noEmit` shows every error).\n',
    ],
    [
      'a spec importing a package that is not installed',
      'imports.ts',
      "import { defineEnvironment } from 'pvestack-not-installed';\nexport default defineEnvironment({});\n",
      'error: imports.ts: 1 problem in the environment spec:\n  - imports.ts:1:35: (root): imports "pvestack-not-installed", which cannot be found from .. Install the package next to the spec (npm install), or fix the import path.\n',
    ],
    [
      'a spec with an invalid value, at the line of its literal',
      'invalid.ts',
      TS_SPEC.replace("'10.30.0.10'", "'10.30.0.300'"),
      `error: invalid.ts: 1 problem in the environment spec:\n  - invalid.ts:7:${IPV4_COLUMN}: guests[0].ipv4: is not a valid IPv4 address (got "10.30.0.300"). Write four numbers from 0 to 255 separated by dots, e.g. 10.20.0.11.\n`,
    ],
  ])('%s', (_name, file, source, expected) => {
    const r = check(file, source);
    expect(r.stderr).toBe(expected);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|Require stack|please report/);
    expect(r.json).toMatchObject({ ok: false, error: 'InvalidSpec' });
  });

  // Values that are not literals at their property: the line of the property, of the expression
  // that produced the value (said so in the message and in --json `origin`), or of the imported file.
  it.each(TS_SPEC_ERROR_CASES)('%s', (name, files, expected) => {
    const sub = fs.mkdtempSync(path.join(dir, 'case-'));
    for (const [file, source] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(sub, file)), { recursive: true });
      fs.writeFileSync(path.join(sub, file), source);
    }
    const text = spawnSync(process.execPath, [CLI, 'check', 'env.ts'], { cwd: sub, encoding: 'utf8' });
    expect(text.stderr).toBe(`error: env.ts: 1 problem in the environment spec:\n  - ${expected}\n`);
    expect(text.status).toBe(2);
    const json = spawnSync(process.execPath, [CLI, '--json', 'check', 'env.ts'], { cwd: sub, encoding: 'utf8' });
    expect(json.status).toBe(2);
    const [error] = (JSON.parse(json.stdout) as { errors: { location: string; origin?: string }[] }).errors;
    const [location, origin] = /^(\S+): \S+?(?: \((.*?)\))?: /.exec(expected)!.slice(1);
    expect(error).toMatchObject({ location, ...(origin ? { origin } : {}) });
    if (!origin) expect(error!.origin).toBeUndefined();
  });

  it('without the TypeScript compiler installed, locates a literal written once and otherwise names the file', () => {
    // Node resolves no `typescript` package in this process, as on a machine without dev dependencies.
    const preload = path.join(dir, 'no-typescript.cjs');
    fs.writeFileSync(
      preload,
      "const Module = require('node:module');\nconst resolve = Module._resolveFilename;\nModule._resolveFilename = function (request, ...rest) {\n  if (request === 'typescript') throw Object.assign(new Error(\"Cannot find module 'typescript'\"), { code: 'MODULE_NOT_FOUND' });\n  return resolve.call(this, request, ...rest);\n};\n",
    );
    const run = (name: string, source: string) => {
      fs.writeFileSync(path.join(dir, name), source);
      return spawnSync(process.execPath, ['--require', preload, CLI, 'check', name], { cwd: dir, encoding: 'utf8' });
    };
    const literal = run('literal-no-ts.ts', TS_SPEC.replace("'10.30.0.10'", "'10.30.0.300'"));
    expect(literal.status).toBe(2);
    expect(literal.stderr).toContain(`  - literal-no-ts.ts:7:${IPV4_COLUMN}: guests[0].ipv4: is not a valid IPv4 address`);
    const computed = run('computed-no-ts.ts', TS_SPEC.replace("'10.30.0.10'", "['10', '30', '0', '300'].join('.')"));
    expect(computed.status).toBe(2);
    expect(computed.stderr).toContain('  - computed-no-ts.ts: guests[0].ipv4: is not a valid IPv4 address');
  });

  it('gives a check finding no line when the literal written once is another field (a computed address)', () => {
    const source = `const spare = '10.31.0.10';\n${TS_SPEC.replace("'10.30.0.10'", "['10', '31', '0', '10'].join('.')")}`;
    fs.writeFileSync(path.join(dir, 'computed.ts'), source);
    const r = spawnSync(process.execPath, [CLI, '--json', 'check', 'computed.ts'], { cwd: dir, encoding: 'utf8' });
    const findings = (JSON.parse(r.stdout) as { environments: { findings: { rule: string; path: string; location?: string }[] }[] }).environments[0]!.findings;
    const finding = findings.find((f) => f.rule === 'PVE-NET-001');
    expect(finding).toMatchObject({ path: 'guests[0].ipv4' });
    expect(finding!.location).toBeUndefined();
  });

  it('gives a check finding the line of a literal written once (an address outside the CIDR)', () => {
    fs.writeFileSync(path.join(dir, 'outside.ts'), TS_SPEC.replace("'10.30.0.10'", "'10.31.0.10'"));
    const r = spawnSync(process.execPath, [CLI, 'check', 'outside.ts'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toContain(`ERROR PVE-NET-001  outside.ts:7:${IPV4_COLUMN}: guests[0].ipv4`);
  });
});
