/**
 * `import` round trip on the hand-made lab cluster (a GPU VM, an unprivileged LXC with a bind
 * mount, a VM with two disks): the spec it writes validates and passes `check`, synthesizes with
 * Terraform import blocks, and a diff against the spec without those guests lists them as imports.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../checks';
import { importGuests, type ImportRun } from '../../cluster/import/run';
import { specName } from '../../cluster/import/translate';
import { diffResources, type TerraformJson } from '../../diff';
import { diffEnvironment } from '../../diff/environment';
import { renderMarkdown } from '../../diff/markdown';
import { renderTerminal } from '../../diff/terminal';
import { loadEnvironmentFile } from '../../model';
import { prepareEnvironments, synthesizeApp } from '../../pipeline';
import { labClusterRoutes } from '../fixtures/pve/lab-cluster';
import { startFakePve, type FakePve } from '../support/pve-api';
import { describeWithTools } from '../support/tools';

const LIVE_SPEC = path.join(__dirname, '..', 'fixtures', 'specs', 'live.yaml');
const quiet = { info: () => {}, warn: () => {} };

function synth(specFile: string, outdir: string): TerraformJson {
  const prepared = prepareEnvironments([specFile], { checks: 'enforce', skipSwitch: '--no-checks', refusal: 'synth wrote nothing', log: quiet });
  const [stack] = synthesizeApp(prepared, { outdir, artifacts: false }).stacks;
  return JSON.parse(fs.readFileSync(stack!.file, 'utf8')) as TerraformJson;
}

describe('specName', () => {
  it.each([
    ['llm-lab', 'llm-lab'],
    ['Portainer_CE', 'portainer-ce'],
    ['9lives', 'guest-105-9lives'],
    ['web', 'web-2'],
  ])('%s → %s', (name, expected) => expect(specName(name, 105, new Set(['web']))).toBe(expected));
});

describeWithTools('pvestack import round trip against a loopback Proxmox API', ['openssl'], () => {
  let pve: FakePve;
  let dir: string;
  let run: ImportRun;
  let written: string;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-import-'));
    written = path.join(dir, 'live.yaml');
    run = await importGuests(loadEnvironmentFile(LIVE_SPEC), { variables: pve.env(), writeTo: written });
  });
  afterAll(async () => {
    await pve?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adopts the hand-made guests and skips those the spec has or another environment manages', () => {
    expect(run.plan.guests.map((g) => [g.vmid, g.kind, g.spec.name])).toEqual([
      [100, 'vm', 'llm-lab'],
      [101, 'lxc', 'portainer'],
      [102, 'vm', 'mirror'],
    ]);
    expect(run.plan.skipped).toEqual([
      { vmid: 210, name: 'web', node: 'pve1', reason: 'already in the spec as web' },
      { vmid: 300, name: 'billing', node: 'pve1', reason: 'managed by pvestack environment finance' },
    ]);
    expect(run.plan.networks).toEqual([]);
    // The GPU VM's mapping l40s is the spec's GPU already (adopted), so no GPU is added.
    expect(run.plan.gpus).toEqual([]);
  });

  it('writes what the model can express, as close to the hand-made config as it allows', () => {
    const [llm, portainer, mirror] = run.plan.guests;
    expect(llm!.spec).toEqual({
      name: 'llm-lab',
      kind: 'vm',
      role: 'ml',
      node: 'pve1',
      vmId: 100,
      adopt: true,
      cores: 16,
      memoryGib: 64,
      network: 'lan',
      ipv4: '192.168.10.30',
      disks: [{ sizeGib: 200, datastore: 'local-lvm' }],
      gpus: ['l40s'],
      tags: ['lab'],
    });
    expect(portainer!.spec).toEqual({
      name: 'portainer',
      kind: 'lxc',
      role: 'app',
      node: 'pve1',
      vmId: 101,
      adopt: true,
      cores: 2,
      memoryGib: 4,
      network: 'lan',
      ipv4: '192.168.10.21',
      disks: [{ sizeGib: 16, datastore: 'local-lvm' }],
      tags: ['lab'],
    });
    expect(mirror!.spec).toEqual({
      name: 'mirror',
      kind: 'vm',
      role: 'app',
      node: 'pve1',
      vmId: 102,
      adopt: true,
      cores: 4,
      memoryGib: 8,
      network: 'lan',
      ipv4: '192.168.10.40',
      disks: [
        { sizeGib: 32, datastore: 'local-lvm' },
        { name: 'data1', sizeGib: 500, datastore: 'tank' },
      ],
    });
  });

  it('comments on every setting the model cannot express', () => {
    const [, portainer, mirror] = run.plan.guests;
    expect(portainer!.notes).toContain(
      "mp0: /srv/portainer,mp=/data,backup=0 — a bind mount of host path /srv/portainer at /data: outside the model; adoption keeps the container's mount points as they are",
    );
    expect(portainer!.notes).toContain("swap: 512 MiB — the model leaves swap to the provider's default");
    expect(portainer!.notes).toContain('template — what the container was created from is not readable; adoption keeps it as it is');
    expect(portainer!.notes).toHaveLength(3);
    expect(mirror!.notes).toEqual([]);
    expect(run.fragment).toContain('# portainer: container 101 on pve1, adopted (the first apply imports pve1/101 instead of creating it).');
    expect(run.fragment).toContain('#   - mp0: /srv/portainer,mp=/data,backup=0 — a bind mount of host path /srv/portainer at /data');
    expect(run.fragment).toContain('role: app # guessed: set what the guest is for');
  });

  it('lists the attributes the model would change on adoption', () => {
    const [llm, portainer, mirror] = run.plan.guests;
    const attrs = (g: typeof llm) => g!.changes.map((c) => c.attribute);
    expect(attrs(mirror)).toEqual(['cpu.type', 'agent.enabled', 'tags', 'description', 'startup.order', 'firewall']);
    expect(mirror!.changes[0]).toEqual({ attribute: 'cpu.type', from: 'x86-64-v2-AES', to: 'host' });
    expect(attrs(portainer)).toEqual(['features', 'tags', 'description', 'startup.order', 'firewall']);
    expect(attrs(llm)).toEqual(['tags', 'description', 'startup.order', 'firewall']);
    expect(llm!.changes.find((c) => c.attribute === 'tags')).toEqual({ attribute: 'tags', from: 'gpu;lab', to: 'env-live;gpu;lab;pvestack;role-ml' });
    expect(run.fragment).toContain('#   - cpu.type: x86-64-v2-AES → host');
  });

  it('writes a spec that validates and passes check', () => {
    const text = fs.readFileSync(written, 'utf8');
    // The original spec's comments survive the merge.
    expect(text).toContain('# The environment `live` as it matches the hand-made lab cluster');
    const env = loadEnvironmentFile(written);
    expect(env.guests.map((g) => g.name)).toEqual(['web', 'db', 'cache', 'llm-lab', 'portainer', 'mirror']);
    const report = runChecks(env);
    expect(report.findings.filter((f) => f.severity === 'error' && !f.suppressed)).toEqual([]);
  });

  it('synthesizes import blocks, and diff lists the adopted guests as imports', () => {
    const base = synth(LIVE_SPEC, path.join(dir, 'base'));
    const head = synth(written, path.join(dir, 'head'));
    const imports = (head.import ?? []) as { to: string; id: string }[];
    expect(imports.map((i) => i.id).sort()).toEqual(['l40s', 'pve1/100', 'pve1/101', 'pve1/102']);
    const changes = diffResources(base, head, { base: loadEnvironmentFile(LIVE_SPEC), head: loadEnvironmentFile(written) });
    const guests = changes.filter((c) => c.type === 'proxmox_virtual_environment_vm' || c.type === 'proxmox_virtual_environment_container');
    expect(guests.map((c) => [c.guest, c.action])).toEqual(
      expect.arrayContaining([
        ['llm-lab', 'import'],
        ['portainer', 'import'],
        ['mirror', 'import'],
      ]),
    );
    expect(guests).toHaveLength(3);
    expect(changes.filter((c) => c.action === 'import')).toHaveLength(3);
    expect(changes.some((c) => c.action === 'replace' || c.action === 'delete')).toBe(false);
    // Nothing is downloaded or uploaded for an adopted VM, and its creation-only attributes are kept.
    const vm = Object.values((head.resource as Record<string, Record<string, Record<string, any>>>).proxmox_virtual_environment_vm!).find(
      (r) => r.name === 'mirror',
    )!;
    expect(vm.disk[0].import_from).toBeUndefined();
    expect(vm.initialization.user_data_file_id).toBeUndefined();
    expect(vm.lifecycle.ignore_changes).toEqual(['initialization[0].user_data_file_id', 'disk[0].import_from']);
    const ct = Object.values((head.resource as Record<string, Record<string, Record<string, any>>>).proxmox_virtual_environment_container!).find(
      (r) => r.initialization.hostname === 'portainer',
    )!;
    expect(ct.lifecycle.ignore_changes).toEqual(['operating_system[0].template_file_id', 'initialization[0].user_account', 'mount_point']);
    expect(ct.unprivileged).toBe(true);
    // The PR views say so too: an import count, and each adopted guest as `import`.
    const env = diffEnvironment({
      environment: 'live',
      base: { terraform: base, env: loadEnvironmentFile(LIVE_SPEC) },
      head: { terraform: head, env: loadEnvironmentFile(written) },
    });
    expect(env.counts.import).toBe(3);
    const report = { base: 'main', head: 'import', environments: [env], hasChanges: true, destroysStateful: false };
    expect(renderMarkdown(report)).toMatch(/\| environment \| add \| import \| update \|/);
    expect(renderMarkdown(report)).toMatch(/\| <= \| import \| `proxmox_virtual_environment_vm\.[^`]+` \| mirror \|/);
    expect(renderTerminal(report)).toMatch(/<=\s+import\s+proxmox_virtual_environment_container\.\S+ \(portainer\)/);
  });

  it('sent nothing but GET requests', () => {
    expect([...new Set(pve.requests.map((r) => r.method))]).toEqual(['GET']);
  });
});
