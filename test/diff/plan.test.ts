import { describe, expect, it } from 'vitest';
import { diffResources, type TerraformJson } from '../../diff/plan';
import { MASKED } from '../../diff/types';

const VM = 'proxmox_virtual_environment_vm';
const FILE = 'proxmox_virtual_environment_file';
const meta = (path: string) => ({ '//': { metadata: { path, uniqueId: path } } });

function doc(resources: Record<string, Record<string, Record<string, unknown>>>): TerraformJson {
  return { resource: resources };
}

const web = (extra: Record<string, unknown> = {}) => ({
  ...meta('staging/web/Resource'),
  name: 'web',
  node_name: 'pve1',
  cpu: { cores: 4 },
  initialization: { user_data_file_id: '${proxmox_virtual_environment_file.web_cloud_init.id}' },
  ...extra,
});
const snippet = (data: string) => ({
  ...meta('staging/web/CloudInit/Resource'),
  content_type: 'snippets',
  datastore_id: 'local',
  node_name: 'pve1',
  source_raw: { data, file_name: 'web.yaml' },
});

describe('diffResources', () => {
  it('keys resources by Terraform address and sorts create, update and delete', () => {
    const base = doc({ [VM]: { a: { name: 'a' }, b: { name: 'b', cpu: { cores: 2 } } } });
    const head = doc({ [VM]: { b: { name: 'b', cpu: { cores: 4 } }, c: { name: 'c' } } });
    const changes = diffResources(base, head);
    expect(changes.map((c) => [c.address, c.action])).toEqual([
      [`${VM}.a`, 'delete'],
      [`${VM}.b`, 'update'],
      [`${VM}.c`, 'create'],
    ]);
    expect(changes[1]!.changes).toEqual([{ path: 'cpu.cores', before: 2, after: 4 }]);
    expect(changes[1]!.rebootBecause).toEqual(['cpu']);
  });

  it('shows a new resource with an import block as import, naming the adopted id', () => {
    const head: TerraformJson = { ...doc({ [VM]: { a: { name: 'a' }, b: { name: 'b' } } }), import: [{ to: `${VM}.a`, id: 'pve1/100' }] };
    const changes = diffResources(doc({}), head);
    expect(changes.map((c) => [c.address, c.action, c.notes])).toEqual([
      [`${VM}.a`, 'import', ['adopts the existing pve1/100 instead of creating it']],
      [`${VM}.b`, 'create', []],
    ]);
  });

  it('ignores resources whose configuration is identical, and cdktf metadata', () => {
    const base = doc({ [VM]: { a: { '//': { metadata: { path: 'x' } }, name: 'a' } } });
    const head = doc({ [VM]: { a: { '//': { metadata: { path: 'y' } }, name: 'a' } } });
    expect(diffResources(base, head)).toEqual([]);
  });

  it('masks schema-sensitive attributes and secret-looking values', () => {
    const base = doc({ [VM]: { a: { initialization: { user_account: { password: 'old-pass', username: 'ops' } }, description: 'x' } } });
    const head = doc({
      [VM]: { a: { initialization: { user_account: { password: 'new-pass', username: 'ops' } }, description: 'token ghp_abcdefghijklmnopqrstuvwxyz123456' } },
    });
    const [change] = diffResources(base, head);
    expect(change!.changes).toEqual([
      { path: 'description', before: MASKED, after: MASKED, masked: true },
      { path: 'initialization.user_account.password', before: MASKED, after: MASKED, masked: true },
    ]);
    expect(JSON.stringify(change)).not.toMatch(/old-pass|new-pass|ghp_/);
  });

  it('replaces a VM through its cloud-init snippet: the file is replaced, so user_data_file_id is unknown', () => {
    const base = doc({ [VM]: { web: web() }, [FILE]: { web_cloud_init: snippet('#cloud-config\npackages: [nginx]\n') } });
    const head = doc({ [VM]: { web: web() }, [FILE]: { web_cloud_init: snippet('#cloud-config\npackages: [nginx, curl]\n') } });
    const envGuests = { head: { guests: [{ name: 'web', role: 'web', stateful: false }] } } as never;
    const [file, vm] = diffResources(base, head, envGuests);
    expect(file).toMatchObject({ address: `${FILE}.web_cloud_init`, action: 'replace', guest: 'web' });
    expect(file!.changes[0]!.unified).toContain('+packages: [nginx, curl]');
    expect(vm).toMatchObject({ address: `${VM}.web`, action: 'replace', guest: 'web' });
    expect(vm!.replacedBecause).toEqual([
      { attribute: 'initialization.user_data_file_id', rule: 'dependency', reason: `references ${FILE}.web_cloud_init, which is replaced` },
    ]);
    expect(vm!.changes).toEqual([{ path: 'initialization.user_data_file_id', knownAfterApply: true }]);
  });

  it('a renamed snippet file (new address) replaces the VM through the changed reference', () => {
    const base = doc({ [VM]: { web: web() }, [FILE]: { web_cloud_init: snippet('a') } });
    const head = doc({
      [VM]: { web: web({ initialization: { user_data_file_id: '${proxmox_virtual_environment_file.web_cloud_init_2.id}' } }) },
      [FILE]: { web_cloud_init_2: snippet('b') },
    });
    const vm = diffResources(base, head).find((c) => c.type === VM)!;
    expect(vm.action).toBe('replace');
    expect(vm.replacedBecause[0]!.attribute).toBe('initialization.user_data_file_id');
  });

  it('flags a stateful guest replaced by node_name and sees prevent_destroy in the head configuration', () => {
    const db = (node: string) => ({ ...meta('staging/db/Resource'), name: 'db', node_name: node, protection: true, lifecycle: { prevent_destroy: true } });
    const env = { guests: [{ name: 'db', role: 'db', stateful: true }] } as never;
    const [change] = diffResources(doc({ [VM]: { db: db('pve1') } }), doc({ [VM]: { db: db('pve2') } }), { base: env, head: env });
    expect(change).toMatchObject({ action: 'replace', guest: 'db', stateful: 'stateful guest db (role db)', preventDestroy: true });
    expect(change!.replacedBecause.map((c) => c.attribute)).toEqual(['node_name']);
  });

  it('notes that removing a protected resource block removes its prevent_destroy', () => {
    const [change] = diffResources(doc({ [VM]: { db: { name: 'db', protection: true, lifecycle: { prevent_destroy: true } } } }), doc({}));
    expect(change).toMatchObject({ action: 'delete', stateful: 'protection = true', preventDestroy: false });
    expect(change!.notes.join()).toMatch(/Terraform will destroy it/);
  });

  it('treats a ZFS pool as stateful', () => {
    const [change] = diffResources(doc({ proxmox_node_disk_zfs: { tank: { name: 'tank', node_name: 'pve1', devices: ['a'] } } }), doc({}));
    expect(change!.stateful).toBe('ZFS pool tank');
  });
});

describe('diffResources and lifecycle.ignore_changes', () => {
  const ignoring = (extra: Record<string, unknown>) =>
    web({ lifecycle: { prevent_destroy: true, ignore_changes: ['initialization[0].user_data_file_id'] }, ...extra });

  it('does not replace a VM through a snippet whose file id it ignores', () => {
    const base = doc({ [VM]: { web: ignoring({}) }, [FILE]: { web_cloud_init: snippet('a') } });
    const head = doc({ [VM]: { web: ignoring({}) }, [FILE]: { web_cloud_init: snippet('b') } });
    expect(diffResources(base, head).map((c) => [c.address, c.action])).toEqual([[`${FILE}.web_cloud_init`, 'replace']]);
  });

  it('does not see a change in an ignored attribute, but still sees the others', () => {
    const base = doc({ [VM]: { web: ignoring({}) } });
    const head = doc({ [VM]: { web: ignoring({ initialization: { user_data_file_id: 'other' }, cpu: { cores: 8 } }) } });
    const [c] = diffResources(base, head);
    expect(c!.action).toBe('update');
    expect(c!.changes.map((x) => x.path)).toEqual(['cpu.cores']);
  });

  it('flags traffic through an IP set that a member change replaces', () => {
    const IPSET = 'proxmox_virtual_environment_firewall_ipset';
    const set = (cidrs: string[]) => ({ name: 'admin', cidr: cidrs.map((name) => ({ name })) });
    const [c] = diffResources(doc({ [IPSET]: { admin: set(['198.51.100.0/24']) } }), doc({ [IPSET]: { admin: set(['198.51.100.0/24', '203.0.113.0/24']) } }));
    expect(c!.action).toBe('replace');
    expect(c!.notes).toContain(
      'traffic through +admin is interrupted during apply: the set is deleted and created again, and rules naming +admin match nothing in between',
    );
  });

  it('flags traffic through a deleted IP set (a role set of an earlier layout)', () => {
    const IPSET = 'proxmox_virtual_environment_firewall_ipset';
    const [c] = diffResources(doc({ [IPSET]: { web: { name: 'role-web', cidr: [{ name: '10.0.0.11' }] } } }), doc({}));
    expect(c).toMatchObject({
      action: 'delete',
      notes: [
        'traffic through +role-web is interrupted during apply: the set is deleted, and rules still naming +role-web match nothing until their own update lands',
      ],
    });
  });

  it('a rule list that gains a rule is updated in place, with no interruption note', () => {
    const RULES = 'proxmox_virtual_environment_firewall_rules';
    const rules = (sources: string[]) => ({
      node_name: 'pve1',
      vm_id: 120,
      rule: sources.map((source) => ({ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '5432', source })),
    });
    const [c] = diffResources(doc({ [RULES]: { db: rules(['10.0.0.11']) } }), doc({ [RULES]: { db: rules(['10.0.0.11', '10.0.0.12']) } }));
    expect(c).toMatchObject({ action: 'update', replacedBecause: [], notes: [] });
  });
});
