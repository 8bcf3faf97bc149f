import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from '../../../pipeline';
import { prepared } from '../../support/pipeline';
import { ProviderSchemaDocument, SchemaFinding, validateTerraformJson } from '../../../providers/proxmox/schema-validator';
import { environmentNames } from '../../../stacks/registry';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'providers', 'proxmox', 'schema.json'), 'utf8')) as ProviderSchemaDocument;
const VM = 'proxmox_virtual_environment_vm';

type Doc = {
  resource: Record<string, Record<string, Record<string, any>>>;
  provider: Record<string, Record<string, unknown>[]>;
  terraform: Record<string, any>;
  [k: string]: any;
};

let outdir: string;
const docs = new Map<string, Doc>();

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-schema-validator-'));
  for (const s of synthesizeApp(prepared(environmentNames()), { outdir }).stacks) docs.set(s.env.name, JSON.parse(fs.readFileSync(s.file, 'utf8')) as Doc);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** A fresh copy of the production document and the db VM's key in it. */
function production(): { doc: Doc; db: Record<string, any>; ptr: string } {
  const doc = structuredClone(docs.get('production')!);
  const key = Object.keys(doc.resource[VM]!).find((k) => doc.resource[VM]![k]!['//'].metadata.path === 'production/db/Resource')!;
  return { doc, db: doc.resource[VM]![key]!, ptr: `/resource/${VM}/${key}` };
}

const errors = (f: SchemaFinding[]) => f.filter((x) => x.severity === 'error');

/**
 * Findings in `doc` that the unmodified production document does not have, so that each mutation
 * test sees only what its mutation caused (the environment test above guards the baseline).
 */
function introduced(doc: unknown): SchemaFinding[] {
  const key = (f: SchemaFinding) => `${f.code} ${f.pointer}`;
  const baseline = new Set(validateTerraformJson(docs.get('production')!, schema).map(key));
  return validateTerraformJson(doc, schema).filter((f) => !baseline.has(key(f)));
}

describe('validateTerraformJson on synthesized environments', () => {
  it('finds nothing in production, which has the guests of the education platform', () => {
    const doc = docs.get('production')!;
    expect(Object.keys(doc.resource[VM]!).length).toBeGreaterThanOrEqual(9);
    expect(validateTerraformJson(doc, schema)).toEqual([]);
  });

  it.each(environmentNames())('finds no error in %s', (name) => {
    expect(errors(validateTerraformJson(docs.get(name)!, schema))).toEqual([]);
  });
});

describe('validateTerraformJson: one mutation at a time', () => {
  // GIVEN the valid production document, WHEN one thing is broken, THEN exactly that is reported.
  const cases: [string, (m: ReturnType<typeof production>) => void, string, string, Partial<SchemaFinding>?][] = [
    ['an unknown attribute', ({ db }) => (db.on_bot = true), 'unknown-attribute', '/on_bot', { hint: 'Did you mean "on_boot"?' }],
    ['an unknown block', ({ db }) => (db.cloud_init = { user_data: 'x' }), 'unknown-block', '/cloud_init'],
    [
      'a missing required attribute',
      ({ db }) => delete db.node_name,
      'missing-required',
      '/node_name',
      { message: `${VM} is missing the required attribute "node_name"` },
    ],
    [
      'a string where a number is expected',
      ({ db }) => (db.cpu.cores = 'four'),
      'wrong-type',
      '/cpu/cores',
      { message: `${VM}.cpu.cores must be a number, got "four"` },
    ],
    [
      'a wrong type two blocks deep',
      ({ db }) => (db.disk[1].iothread = 'yes'),
      'wrong-type',
      '/disk/1/iothread',
      { message: `${VM}.disk.iothread must be a bool, got "yes"` },
    ],
    ['a wrong type inside a list-of-objects attribute', ({ db }) => (db.network_device[0].vlan_id = 'ten'), 'wrong-type', '/network_device/0/vlan_id'],
    [
      'an unknown key inside an object-typed attribute',
      ({ db }) => (db.network_device[0].bridgee = 'vmbr0'),
      'unknown-attribute',
      '/network_device/0/bridgee',
      { hint: 'Did you mean "bridge"?' },
    ],
    ['a string where a list is expected', ({ db }) => (db.tags = 'a,b'), 'wrong-type', '/tags', { message: `${VM}.tags must be a list of string, got "a,b"` }],
    [
      'a list with a wrong element type',
      ({ db }) => (db.initialization.dns.servers = ['10.0.0.1', { ip: '10.0.0.2' }]),
      'wrong-type',
      '/initialization/dns/servers/1',
    ],
    [
      'two blocks where max_items is 1',
      ({ db }) => (db.cpu = [db.cpu, { cores: 2 }]),
      'too-many-blocks',
      '/cpu',
      { message: `${VM}.cpu allows at most 1 block, got 2` },
    ],
    [
      'a nested block over its max_items',
      ({ db }) => (db.initialization.dns = [db.initialization.dns, db.initialization.dns]),
      'too-many-blocks',
      '/initialization/dns',
    ],
    ['a block given as a plain string', ({ db }) => (db.memory = '16384'), 'wrong-type', '/memory'],
    ['a computed-only attribute set by hand', ({ db }) => (db.ipv4_addresses = [['10.20.0.20']]), 'computed-attribute', '/ipv4_addresses'],
    [
      'an unknown lifecycle.ignore_changes entry',
      ({ db }) => (db.lifecycle = { ignore_changes: ['node_nam'] }),
      'unknown-attribute',
      '/lifecycle/ignore_changes/0',
      { hint: 'Did you mean "node_name"?' },
    ],
  ];

  it.each(cases)('reports %s', (_name, mutate, code, suffix, extra) => {
    const m = production();
    mutate(m);
    expect(introduced(m.doc)).toEqual([
      expect.objectContaining({ severity: 'error', code, pointer: `${m.ptr}${suffix}`, constructPath: 'production/db/Resource', ...extra }),
    ]);
  });

  it('reports an unknown resource type once per resource, with its construct path', () => {
    const { doc, ptr } = production();
    doc.resource[`${VM}x`] = doc.resource[VM]!;
    delete doc.resource[VM];
    const findings = introduced(doc);
    expect(findings).toHaveLength(Object.keys(doc.resource[`${VM}x`]!).length);
    expect(findings).toContainEqual({
      severity: 'error',
      code: 'unknown-resource-type',
      pointer: ptr.replace(VM, `${VM}x`),
      constructPath: 'production/db/Resource',
      message: `bpg/proxmox has no resource type "${VM}x"`,
      hint: `Did you mean "${VM}"?`,
    });
  });

  it('warns about a deprecated attribute without failing', () => {
    const { doc, db, ptr } = production();
    db.timeout_move_disk = 1800;
    expect(introduced(doc)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'deprecated-attribute',
        pointer: `${ptr}/timeout_move_disk`,
        constructPath: 'production/db/Resource',
      }),
    ]);
  });

  it('warns about a deprecated resource type and names the short one', () => {
    const { doc } = production();
    doc.resource.proxmox_virtual_environment_storage_cifs = {
      box: {
        '//': { metadata: { path: 'production/box/Resource' } },
        id: 'box',
        server: 'u1.your-storagebox.de',
        share: 'backup',
        username: 'u1',
        password: '${var.box_password}',
      },
    };
    expect(introduced(doc)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'deprecated-resource-type',
        pointer: '/resource/proxmox_virtual_environment_storage_cifs/box',
        constructPath: 'production/box/Resource',
        hint: expect.stringContaining('Use proxmox_storage_cifs instead'),
      }),
    ]);
  });

  it('accepts Terraform expressions wherever a value is expected', () => {
    const { doc, db } = production();
    db.cpu.cores = '${var.db_cores}';
    db.node_name = '${data.proxmox_virtual_environment_nodes.all.names[0]}';
    db.tags = '${local.tags}';
    db.disk[0].size = '${var.root_size}';
    db.network_device = '${local.nics}';
    db.description = 'db on %{ if var.prod }prod%{ else }dev%{ endif }';
    expect(introduced(doc)).toEqual([]);
  });

  it('accepts the primitive conversions terraform makes (numeric strings, "true", numbers as strings)', () => {
    const { doc, db } = production();
    db.cpu.cores = '4';
    db.started = 'true';
    db.description = 42;
    expect(introduced(doc)).toEqual([]);
  });

  it('accepts meta-arguments and dynamic blocks, and checks the dynamic content', () => {
    const { doc, db, ptr } = production();
    db.depends_on = ['proxmox_virtual_environment_vm.cache'];
    db.lifecycle = { prevent_destroy: true, ignore_changes: ['disk[0].size', 'tags'] };
    db.dynamic = { hostpci: { for_each: '${var.gpus}', content: { device: 'hostpci0', mapping: '${hostpci.value}', pcie: 'nope' } } };
    expect(introduced(doc)).toEqual([expect.objectContaining({ code: 'wrong-type', pointer: `${ptr}/dynamic/hostpci/content/pcie` })]);
  });
});

describe('validateTerraformJson: framework nested attributes and single blocks', () => {
  const mapping = (map: unknown) => ({
    terraform: { required_providers: { proxmox: { source: 'bpg/proxmox', version: '0.111.1' } } },
    resource: { proxmox_hardware_mapping_pci: { gpu: { '//': { metadata: { path: 'stack/gpu/Resource' } }, name: 'gpu-1', map } } },
  });

  it('accepts a valid set-nested attribute', () => {
    expect(validateTerraformJson(mapping([{ id: '10de:26b9', node: 'pve4', path: '0000:01:00.0', iommu_group: 12 }]), schema)).toEqual([]);
  });

  it('reports a missing required nested attribute and a wrong nested type', () => {
    expect(validateTerraformJson(mapping([{ id: '10de:26b9', path: '0000:01:00.0', iommu_group: 'twelve' }]), schema)).toEqual([
      expect.objectContaining({
        code: 'wrong-type',
        pointer: '/resource/proxmox_hardware_mapping_pci/gpu/map/0/iommu_group',
        constructPath: 'stack/gpu/Resource',
      }),
      expect.objectContaining({ code: 'missing-required', pointer: '/resource/proxmox_hardware_mapping_pci/gpu/map/0/node' }),
    ]);
  });

  it('reports an object where a set of objects is expected', () => {
    expect(validateTerraformJson(mapping({ id: 'x', node: 'pve4', path: '0000:01:00.0' }), schema)).toEqual([
      expect.objectContaining({
        code: 'wrong-type',
        pointer: '/resource/proxmox_hardware_mapping_pci/gpu/map',
        message: 'proxmox_hardware_mapping_pci.map must be a set of objects, got an object',
      }),
    ]);
  });

  it('reports a list of two where a single-nesting block is expected', () => {
    const doc = {
      terraform: { required_providers: { proxmox: { source: 'bpg/proxmox' } } },
      resource: {
        proxmox_storage_cifs: {
          box: { id: 'box', server: 's', share: 'backup', username: 'u', password: '${var.p}', backups: [{ keep_daily: 7 }, { keep_weekly: 4 }] },
        },
      },
    };
    expect(validateTerraformJson(doc, schema)).toEqual([
      expect.objectContaining({ code: 'too-many-blocks', pointer: '/resource/proxmox_storage_cifs/box/backups', constructPath: null }),
    ]);
  });

  it('reports too few blocks against min_items', () => {
    const tiny: ProviderSchemaDocument = {
      provider_schemas: {
        'registry.terraform.io/acme/demo': {
          resource_schemas: {
            demo_thing: {
              block: { block_types: { part: { nesting_mode: 'list', min_items: 2, block: { attributes: { n: { type: 'number', required: true } } } } } },
            },
          },
        },
      },
    };
    const doc = (part?: unknown) => ({
      terraform: { required_providers: { demo: { source: 'acme/demo' } } },
      resource: { demo_thing: { a: part === undefined ? {} : { part } } },
    });
    expect(validateTerraformJson(doc(), tiny)).toEqual([expect.objectContaining({ code: 'too-few-blocks', pointer: '/resource/demo_thing/a/part' })]);
    expect(validateTerraformJson(doc([{ n: 1 }]), tiny)).toEqual([
      expect.objectContaining({ code: 'too-few-blocks', message: 'demo_thing.part needs at least 2 blocks, got 1' }),
    ]);
    expect(validateTerraformJson(doc([{ n: 1 }, { n: '2' }]), tiny)).toEqual([]);
  });
});

describe('validateTerraformJson: provider, terraform and other sections', () => {
  it('validates the provider block against the provider schema', () => {
    const { doc } = production();
    doc.provider.proxmox![0] = { endpont: 'https://pve:8006', otp: '123456', insecure: 'maybe' };
    expect(introduced(doc)).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'unknown-attribute',
        pointer: '/provider/proxmox/0/endpont',
        constructPath: null,
        hint: 'Did you mean "endpoint"?',
      }),
      expect.objectContaining({ severity: 'warning', code: 'deprecated-attribute', pointer: '/provider/proxmox/0/otp' }),
      expect.objectContaining({ severity: 'error', code: 'wrong-type', pointer: '/provider/proxmox/0/insecure' }),
    ]);
  });

  it("requires the provider in required_providers with the schema's source", () => {
    const { doc } = production();
    doc.terraform.required_providers.proxmox.source = 'telmate/proxmox';
    expect(introduced(doc)).toEqual([expect.objectContaining({ code: 'provider-source-mismatch', pointer: '/terraform/required_providers/proxmox/source' })]);
    delete doc.terraform.required_providers.proxmox;
    expect(introduced(doc)).toEqual([expect.objectContaining({ code: 'missing-required', pointer: '/terraform/required_providers/proxmox' })]);
  });

  it('reports an unknown top-level section, warns about other providers, and skips terraform built-ins', () => {
    const { doc } = production();
    doc.resources = {};
    doc.resource.terraform_data = { marker: { input: 'x' } };
    doc.resource.random_password = { p: { length: 16 } };
    expect(introduced(doc)).toEqual([
      expect.objectContaining({ severity: 'error', code: 'unknown-section', pointer: '/resources', hint: 'Did you mean "resource"?' }),
      expect.objectContaining({ severity: 'warning', code: 'unvalidated-type', pointer: '/resource/random_password' }),
    ]);
  });

  it('escapes JSON pointer segments', () => {
    const { doc, ptr } = production();
    (doc.resource[VM]![ptr.split('/').pop()!] as Record<string, unknown>)['a/b~c'] = 1;
    expect(introduced(doc)[0]!.pointer).toBe(`${ptr}/a~1b~0c`);
  });

  it('validates 1000 guests well under a second', () => {
    const { doc, db } = production();
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) many[`guest${i}`] = { ...structuredClone(db), name: `guest${i}`, vm_id: 1000 + i };
    doc.resource[VM] = many as Record<string, Record<string, any>>;
    validateTerraformJson(docs.get('production')!, schema); // warm up the JIT
    // CPU time, not wall time: the suite runs beside other heavy suites on small CI machines.
    const started = process.cpuUsage();
    const findings = validateTerraformJson(doc, schema);
    const { user, system } = process.cpuUsage(started);
    expect(findings.filter((f) => f.pointer.startsWith(`/resource/${VM}/`))).toEqual([]);
    expect((user + system) / 1000).toBeLessThan(500);
  });
});
