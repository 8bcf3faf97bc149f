import { describe, expect, it } from 'vitest';
import { changeEffect, FORCE_NEW, type ForceNewTable } from '../../diff/force-new';

const VM = 'proxmox_virtual_environment_vm';
const vm = (extra: Record<string, unknown> = {}) => ({
  name: 'web',
  node_name: 'pve1',
  cpu: [{ cores: 4 }],
  disk: [{ interface: 'scsi0', size: 50 }],
  ...extra,
});

describe('changeEffect (providers/proxmox/force-new.json)', () => {
  it('agrees with the provider on the IP set: any member change replaces it (cidr is ForceNew in proxmoxtf/resource/firewall/ipset.go), a comment or rename does not', () => {
    const IPSET = 'proxmox_virtual_environment_firewall_ipset';
    const set = (cidr: { name: string; comment?: string }[], extra: Record<string, unknown> = {}) => ({ name: 'admin', cidr, ...extra });
    const one = [{ name: '198.51.100.0/24' }];
    expect(changeEffect(IPSET, set(one), set([...one, { name: '203.0.113.0/24' }])).replacedBecause).not.toEqual([]);
    expect(changeEffect(IPSET, set(one), set([{ name: '198.51.100.0/25' }])).replacedBecause.map((c) => c.attribute)).toEqual(['cidr.name']);
    expect(changeEffect(IPSET, set(one), set([{ name: '198.51.100.0/24', comment: 'vpn' }])).replacedBecause.map((c) => c.attribute)).toEqual(['cidr.comment']);
    expect(changeEffect(IPSET, set(one), set(one, { comment: 'admins', name: 'admins' })).replacedBecause).toEqual([]);
  });

  it('agrees with the provider on guest rule lists and download_file: rules update in place, a new template URL replaces the download', () => {
    const rules = (n: number) => ({
      node_name: 'pve1',
      vm_id: 120,
      rule: Array.from({ length: n }, (_, i) => ({ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', source: `10.0.0.${i + 1}` })),
    });
    expect(changeEffect('proxmox_virtual_environment_firewall_rules', rules(1), rules(2)).replacedBecause).toEqual([]);
    const download = (url: string) => ({ node_name: 'pve1', datastore_id: 'local', content_type: 'vztmpl', url, file_name: url.split('/').pop() });
    expect(
      changeEffect('proxmox_virtual_environment_download_file', download('http://x/a.tar.zst'), download('http://x/b.tar.zst')).replacedBecause.map(
        (c) => c.attribute,
      ),
    ).toEqual(['file_name', 'url']);
    expect(
      changeEffect(
        'proxmox_virtual_environment_hardware_mapping_pci',
        { name: 'g', map: [{ path: '0000:01:00.0' }] },
        { name: 'g', map: [{ path: '0000:01:00', iommu_group: 14 }] },
      ).replacedBecause,
    ).toEqual([]);
  });

  it('updates cpu.cores in place and names the reboot', () => {
    const e = changeEffect(VM, vm(), vm({ cpu: [{ cores: 6 }] }));
    expect(e.replacedBecause).toEqual([]);
    expect(e.rebootBecause).toEqual(['cpu']);
  });

  it('replaces a VM whose node_name changes while migrate is unset', () => {
    const e = changeEffect(VM, vm(), vm({ node_name: 'pve2' }));
    expect(e.replacedBecause).toEqual([expect.objectContaining({ attribute: 'node_name', rule: 'force_new_if' })]);
    expect(e.replacedBecause[0]!.reason).toMatch(/migrate is false/);
  });

  it('migrates in place when migrate = true', () => {
    const e = changeEffect(VM, vm({ migrate: true }), vm({ node_name: 'pve2', migrate: true }));
    expect(e.replacedBecause).toEqual([]);
  });

  it('replaces on a force_new attribute (user_data_file_id)', () => {
    const e = changeEffect(
      VM,
      vm({ initialization: [{ user_data_file_id: 'local:snippets/a.yaml' }] }),
      vm({ initialization: [{ user_data_file_id: 'local:snippets/b.yaml' }] }),
    );
    expect(e.replacedBecause.map((c) => c.attribute)).toEqual(['initialization.user_data_file_id']);
  });

  it('adding a disk without file_id is in place; with a file_id it replaces', () => {
    const twoDisks = (extra: Record<string, unknown>) =>
      vm({
        disk: [
          { interface: 'scsi0', size: 50 },
          { interface: 'scsi1', size: 10, ...extra },
        ],
      });
    expect(changeEffect(VM, vm(), twoDisks({})).replacedBecause).toEqual([]);
    expect(changeEffect(VM, vm(), twoDisks({ file_id: 'local:iso/x.img' })).replacedBecause.map((c) => c.attribute)).toEqual(['disk.file_id']);
  });

  it('efi_disk.type replaces only when the block exists before and after', () => {
    expect(changeEffect(VM, vm(), vm({ efi_disk: [{ type: '4m' }] })).replacedBecause).toEqual([]);
    expect(changeEffect(VM, vm({ efi_disk: [{ type: '2m' }] }), vm({ efi_disk: [{ type: '4m' }] })).replacedBecause.map((c) => c.attribute)).toEqual([
      'efi_disk.type',
    ]);
  });

  it('container: unprivileged is force_new, mount point count is conditional', () => {
    const ct = 'proxmox_virtual_environment_container';
    expect(changeEffect(ct, { unprivileged: true }, { unprivileged: false }).replacedBecause.map((c) => c.attribute)).toEqual(['unprivileged']);
    expect(
      changeEffect(
        ct,
        { mount_point: [{ volume: 'a', path: '/a' }] },
        {
          mount_point: [
            { volume: 'a', path: '/a' },
            { volume: 'b', path: '/b' },
          ],
        },
      ).replacedBecause.map((c) => c.attribute),
    ).toContain('mount_point');
  });

  it('ZFS pool attributes replace only when the prior value is non-null', () => {
    const zfs = 'proxmox_node_disk_zfs';
    expect(changeEffect(zfs, { name: 't', node_name: 'pve1' }, { name: 't', node_name: 'pve1', ashift: 12 }).replacedBecause).toEqual([]);
    expect(
      changeEffect(zfs, { name: 't', node_name: 'pve1', ashift: 9 }, { name: 't', node_name: 'pve1', ashift: 12 }).replacedBecause.map((c) => c.attribute),
    ).toEqual(['ashift']);
  });

  it('snippet file: new content replaces the file', () => {
    const e = changeEffect(
      'proxmox_virtual_environment_file',
      { source_raw: [{ data: 'a', file_name: 'x.yaml' }] },
      { source_raw: [{ data: 'b', file_name: 'x.yaml' }] },
    );
    expect(e.replacedBecause.map((c) => c.attribute)).toEqual(['source_raw.data']);
  });

  it('reports an unknown condition as a note instead of guessing', () => {
    const table: ForceNewTable = { resources: { t: { force_new: [], force_new_if: [{ path: 'x', when: 'the moon is full' }] } } };
    const e = changeEffect('t', { x: 1 }, { x: 2 }, table);
    expect(e.replacedBecause).toEqual([]);
    expect(e.notes).toEqual(['x changed and may force replacement: the moon is full']);
  });

  it('recognises every conditional rule shape in the vendored table', () => {
    const unknown = Object.values(FORCE_NEW.resources)
      .flatMap((r) => r.force_new_if)
      .filter((rule) =>
        changeEffect('t', { [rule.path]: 1 }, { [rule.path]: 2 }, { resources: { t: { force_new: [], force_new_if: [rule] } } }).notes.some((n) =>
          n.includes('may force replacement'),
        ),
      );
    expect(unknown).toEqual([]);
  });
});
