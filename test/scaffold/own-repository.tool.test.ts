import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type ProviderSchemaDocument, validateTerraformJson } from '../../providers/proxmox/schema-validator';
import { describeWithTools, scratchDir } from '../support/tools';

const ROOT = path.resolve(__dirname, '../..');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G ops@example.org';

// Acceptance of "pvestack init" in a team's own infrastructure repository: a directory outside
// this checkout, with pvestack installed from it by npm as a dependency (a link, offline).
describeWithTools("pvestack init in a team's own infrastructure repository", ['npm'], () => {
  const { dir: repo, cleanup } = scratchDir('acme-infra-');
  afterAll(cleanup);
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // The installed package's own entry point, as node_modules/.bin/pvestack runs it.
  const pvestack = (...args: string[]) => run(process.execPath, [path.join(repo, 'node_modules', 'pvestack', 'bin', 'pvestack.js'), ...args]);

  it('installs pvestack from this repository as a dependency', () => {
    expect(path.relative(ROOT, repo).startsWith('..')).toBe(true);
    fs.writeFileSync(path.join(repo, 'package.json'), `${JSON.stringify({ name: 'acme-infra', version: '1.0.0', private: true }, null, 2)}\n`);
    // --ignore-scripts: the checkout's prepare (binding generation) has run already and must not rewrite it.
    const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--save-dev', ROOT]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).devDependencies.pvestack).toMatch(/^file:/);
  });

  it('init writes a TypeScript environment that imports from the pvestack package', () => {
    const r = pvestack('init', 'shop', '--format', 'ts', '--gpus', '1', '--stacks', 'web,postgres,redis,vllm', '--ssh-key', KEY, '--yes');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote envs/shop.ts\nchecks shop: PASS');
    const text = fs.readFileSync(path.join(repo, 'envs', 'shop.ts'), 'utf8');
    expect(text).toContain("import { defineEnvironment } from 'pvestack';");
  });

  it("init points the YAML language server at the installed package's schema", () => {
    expect(pvestack('init', 'edge', '--stacks', 'web', '--ssh-key', KEY, '--yes').status).toBe(0);
    const first = fs.readFileSync(path.join(repo, 'envs', 'edge.yaml'), 'utf8').split('\n')[0]!;
    expect(first).toBe('# yaml-language-server: $schema=../node_modules/pvestack/schema/environment.schema.json');
    expect(fs.existsSync(path.join(repo, 'envs', '../node_modules/pvestack/schema/environment.schema.json'))).toBe(true);
  });

  it('check passes it', () => {
    const r = pvestack('check', 'envs/shop.ts');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('shop: PASS — 0 errors, 0 warnings');
  });

  it('synth writes its Terraform JSON and artifacts into this repository', () => {
    const r = pvestack('synth', 'envs/shop.ts');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(repo, 'cdktf.out', 'stacks', 'shop', 'cdk.tf.json'), 'utf8')) as { resource: Record<string, unknown> };
    expect(Object.keys(json.resource)).toContain('proxmox_virtual_environment_vm');
    expect(fs.existsSync(path.join(repo, 'cdktf.out', 'stacks', 'shop', 'artifacts', 'db', 'postgres', 'compose.yaml'))).toBe(true);
  });

  it('deploy --dry-run prints what it would ship per host and which secret values are missing', () => {
    const r = pvestack('deploy', 'envs/shop.ts', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    for (const guest of ['proxy', 'web', 'db', 'cache', 'llm']) expect(r.stdout).toMatch(new RegExp(`^== ${guest} \\(`, 'm'));
    expect(r.stderr).toContain('warning: missing secret values: SHOP_DB_PASSWORD');
  });

  it("the spec's types come from the package: tsc accepts it and rejects a wrong type", () => {
    const tsc = [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'node16',
      '--moduleResolution',
      'node16',
      '--target',
      'es2022',
      '--skipLibCheck',
    ];
    expect(run(process.execPath, [...tsc, 'envs/shop.ts']).status).toBe(0);
    const wrong = fs.readFileSync(path.join(repo, 'envs', 'shop.ts'), 'utf8').replace('cpuThreads: 32,', "cpuThreads: 'many',");
    fs.writeFileSync(path.join(repo, 'envs', 'wrong.ts'), wrong);
    const r = run(process.execPath, [...tsc, 'envs/wrong.ts']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
  });

  it("a ProxmoxVm and a ProxmoxLxc from the package synthesize in the team's own cdktf stack, valid for the provider schema", () => {
    // The team's own stack file: cdktf is its own dependency (here the checkout's copy, through
    // NODE_PATH, as npm would hoist it), the constructs and the provider binding come from pvestack.
    fs.writeFileSync(
      path.join(repo, 'mine.ts'),
      [
        "import { App, TerraformStack } from 'cdktf';",
        "import { Port, ProxmoxLxc, ProxmoxVm } from 'pvestack/constructs';",
        "import { pve } from 'pvestack/providers/proxmox';",
        "const app = new App({ outdir: 'own.out' });",
        "const stack = new TerraformStack(app, 'mine');",
        "new pve.provider.ProxmoxProvider(stack, 'proxmox', {});",
        "const network = { bridge: 'vmbr0', gateway: '192.0.2.1' };",
        "const vm = new ProxmoxVm(stack, 'app', { name: 'app', nodeName: 'pve1', network: { ...network, address: '192.0.2.10/24' }, userData: '#cloud-config\\n' });",
        "const cache = new ProxmoxLxc(stack, 'cache', { name: 'cache', nodeName: 'pve1', network: { ...network, address: '192.0.2.20/24' } });",
        'cache.connections.allowFrom(vm, Port.tcp(6379));',
        'app.synth();',
        '',
      ].join('\n'),
    );
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const r = spawnSync(process.execPath, [tsx, 'mine.ts'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    expect(r.status, r.stderr).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(repo, 'own.out', 'stacks', 'mine', 'cdk.tf.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(tf.resource!)).toEqual(expect.arrayContaining(['proxmox_virtual_environment_vm', 'proxmox_virtual_environment_container']));
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'providers', 'proxmox', 'schema.json'), 'utf8')) as ProviderSchemaDocument;
    expect(validateTerraformJson(tf, schema).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('init writes a YAML environment there too, and check passes it', () => {
    expect(pvestack('init', 'lab', '--ssh-key', KEY, '--yes').status).toBe(0);
    const r = pvestack('check', 'envs/lab.yaml');
    expect(r.status, r.stdout).toBe(0);
    expect(pvestack('init', 'lab', '--ssh-key', KEY, '--yes').stderr).toBe(
      'error: envs/lab.yaml exists already. Pick another --file or name, or pass --force to replace it.\n',
    );
  });
});
