import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { testingApp } from '../support/testing-app';
import { describe, expect, it } from 'vitest';
import { Peer, Port, ProxmoxVm, type ProxmoxVmProps } from '../../constructs';
import { ExitCode, InvalidPropsError } from '../../model';
import { pve } from '../../providers/proxmox';
import { type ProviderSchemaDocument, validateTerraformJson } from '../../providers/proxmox/schema-validator';
import { fixtureEnv, resourceAt, resourcesOf, synthEnv, type TfJson } from './fixture';

const VM = 'proxmox_virtual_environment_vm';
const FILE = 'proxmox_virtual_environment_file';

describe('ProxmoxVm', () => {
  it('boots a stateless VM from the pinned image with cloud-init from a snippet', () => {
    // GIVEN the fixture's web VM
    const tf = synthEnv(fixtureEnv());
    // WHEN it is synthesized
    const vm = resourceAt(tf, VM, 'web');
    const snippet = resourceAt(tf, FILE, 'web_UserData');
    // THEN
    expect(vm).toMatchObject({
      name: 'web',
      node_name: 'pve1',
      vm_id: 101,
      agent: { enabled: true },
      cpu: { type: 'host', cores: 2 },
      protection: false,
      startup: { order: 50 },
      network_device: [{ bridge: 'vmbr1', firewall: true, model: 'virtio' }],
      initialization: {
        ip_config: [{ ipv4: { address: '10.9.0.11/24', gateway: '10.9.0.1' } }],
        dns: { servers: ['10.9.0.1'], domain: 'fx.internal' },
      },
    });
    expect(vm.tags).toEqual(expect.arrayContaining(['env-fixture', 'role-web']));
    expect((vm.initialization as Record<string, unknown>).user_data_file_id).toMatch(/^\$\{proxmox_virtual_environment_file\.web_UserData_[0-9A-F]{8}\.id\}$/);
    // user_data_file_id conflicts with user_account: the admin user comes from the snippet.
    expect(vm.initialization).not.toHaveProperty('user_account');
    expect(vm.disk).toEqual([
      expect.objectContaining({
        interface: 'scsi0',
        datastore_id: 'local-lvm',
        discard: 'on',
        iothread: true,
        ssd: true,
        import_from: expect.stringMatching(/^\$\{proxmox_download_file\.CloudImage-pve1-/),
      }),
    ]);
    expect(vm).not.toHaveProperty('lifecycle');
    expect(snippet).toMatchObject({ content_type: 'snippets', datastore_id: 'local', node_name: 'pve1' });
    const raw = snippet.source_raw as { data: string; file_name: string };
    expect(raw.data.startsWith('#cloud-config\n')).toBe(true);
    expect(raw.file_name).toMatch(/^fixture-web-user-data-[0-9a-f]{12}\.yaml$/);
  });

  it('downloads the cloud image once per node, as an import', () => {
    const tf = synthEnv(fixtureEnv());
    const images = resourcesOf(tf, 'proxmox_download_file').filter((d) => d.content_type !== 'vztmpl');
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({
      content_type: 'import',
      node_name: 'pve1',
      url: expect.stringMatching(/^https:\/\/cloud-images\.ubuntu\.com\/releases\/noble\/release-\d{8}\/ubuntu-24\.04-server-cloudimg-amd64\.img$/),
      file_name: expect.stringMatching(/\.qcow2$/),
      checksum_algorithm: 'sha256',
    });
  });

  it('puts data disks on their datastore with a serial and ssd only on flash', () => {
    const tf = synthEnv(
      fixtureEnv(
        (s) =>
          (s.guests[1] = {
            ...s.guests[1]!,
            disks: [s.guests[1]!.disks![0]!, { name: 'pgdata', sizeGib: 500, datastore: 'slow', mountPoint: '/var/lib/postgresql' }],
          }),
      ),
    );
    const disks = resourceAt(tf, VM, 'db').disk as Record<string, unknown>[];
    expect(disks[1]).toMatchObject({ interface: 'scsi1', datastore_id: 'slow', serial: 'pgdata', size: 500, discard: 'on', iothread: true });
    expect(disks[1]).not.toHaveProperty('ssd');
    expect(disks[1]).not.toHaveProperty('import_from');
  });

  it('protects a stateful VM from destruction and from cloud-init edits', () => {
    const tf = synthEnv(fixtureEnv());
    const db = resourceAt(tf, VM, 'db');
    expect(db.protection).toBe(true);
    expect(db.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['initialization[0].user_data_file_id', 'disk[0].import_from'] });
    expect(db.tags).toContain('stateful');
    // Its snippet is frozen too: replacing it would delete the file the VM still references.
    expect(resourceAt(tf, FILE, 'db_UserData').lifecycle).toEqual({ ignore_changes: ['source_raw'] });
  });

  it('changes the snippet file name when a stateless guest cloud-init changes', () => {
    const name = (tf: ReturnType<typeof synthEnv>) => (resourceAt(tf, FILE, 'web_UserData').source_raw as { file_name: string }).file_name;
    const before = name(synthEnv(fixtureEnv()));
    const again = name(synthEnv(fixtureEnv()));
    const after = name(
      synthEnv(fixtureEnv((s) => (s.admin = { ...s.admin, sshKeys: [...s.admin.sshKeys, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecondKey ops2@fixture'] }))),
    );
    expect(again).toBe(before);
    expect(after).not.toBe(before);
    expect(after).toMatch(/^fixture-web-user-data-[0-9a-f]{12}\.yaml$/);
  });

  it('runs a GPU VM on q35 + OVMF with an EFI disk, the PCI mapping and ballooning off', () => {
    const tf = synthEnv(fixtureEnv());
    const llm = resourceAt(tf, VM, 'llm');
    expect(llm).toMatchObject({
      machine: 'q35',
      bios: 'ovmf',
      efi_disk: { type: '4m', datastore_id: 'local-lvm' },
      hostpci: [{ device: 'hostpci0', mapping: 'gpu-a', pcie: true, rombar: true }],
      memory: { dedicated: 65536, floating: 0 },
    });
    const hostpci = (llm.hostpci as Record<string, unknown>[])[0]!;
    expect(hostpci).not.toHaveProperty('id');
    expect(hostpci.xvga).toBeFalsy();
    expect(llm.depends_on).toEqual([expect.stringMatching(/^proxmox_hardware_mapping_pci\.GpuPassthrough_gpu-a_/)]);
    // A VM without GPUs keeps the defaults.
    const web = resourceAt(tf, VM, 'web');
    expect(web).not.toHaveProperty('machine');
    expect(web).not.toHaveProperty('hostpci');
  });

  it('waits for the ZFS pool storage its data disk lives on', () => {
    const tf = synthEnv(fixtureEnv());
    expect(resourceAt(tf, VM, 'db').depends_on).toEqual([expect.stringMatching(/^proxmox_storage_zfspool\.zfs-tank_Storage_/)]);
  });

  it('synthesizes the fixture VMs as snapshotted', () => {
    const tf = synthEnv(fixtureEnv());
    expect({ vm: tf.resource[VM], file: tf.resource[FILE], image: tf.resource.proxmox_download_file }).toMatchSnapshot();
  });
});

describe("ProxmoxVm on its own, in a user's cdktf stack (no environment)", () => {
  // GIVEN a plain cdktf stack with the provider, as a user writes it
  const synthOwnStack = (props: Partial<ProxmoxVmProps> = {}) => {
    const stack = new TerraformStack(testingApp(), 'mine');
    new pve.provider.ProxmoxProvider(stack, 'proxmox', {});
    const vm = new ProxmoxVm(stack, 'app', {
      name: 'app',
      nodeName: 'pve1',
      network: { bridge: 'vmbr0', address: '192.0.2.10/24', gateway: '192.0.2.1' },
      userData: '#cloud-config\n',
      ...props,
    });
    vm.connections.allowFrom(Peer.cidr('198.51.100.0/24'), Port.tcp(443), 'HTTPS from the office');
    return { vm, tf: JSON.parse(Testing.synth(stack)) as TfJson };
  };

  it('synthesizes the VM with its documented defaults, the image, the snippet and the firewall', () => {
    // WHEN only the required props are given
    const { tf } = synthOwnStack();
    // THEN
    expect(resourceAt(tf, VM, 'app')).toMatchObject({
      name: 'app',
      node_name: 'pve1',
      cpu: { cores: 2, type: 'host' },
      memory: { dedicated: 2048 },
      disk: [expect.objectContaining({ interface: 'scsi0', datastore_id: 'local-lvm', size: 32 })],
      network_device: [{ bridge: 'vmbr0', firewall: true, model: 'virtio' }],
      initialization: { ip_config: [{ ipv4: { address: '192.0.2.10/24', gateway: '192.0.2.1' } }], dns: { servers: ['192.0.2.1'] } },
      protection: false,
      tags: ['pvestack'],
    });
    expect(resourcesOf(tf, 'proxmox_download_file')).toEqual([expect.objectContaining({ content_type: 'import', datastore_id: 'local', node_name: 'pve1' })]);
    expect((resourceAt(tf, FILE, 'app_UserData').source_raw as { file_name: string }).file_name).toMatch(/^app-user-data-[0-9a-f]{12}\.yaml$/);
    const rules = resourcesOf(tf, 'proxmox_virtual_environment_firewall_rules').flatMap((r) => r.rule as Record<string, unknown>[]);
    expect(rules).toContainEqual(expect.objectContaining({ source: '198.51.100.0/24', dport: '443', proto: 'tcp', action: 'ACCEPT' }));
  });

  it('passes the offline provider schema validation', () => {
    const { tf } = synthOwnStack({
      stateful: true,
      gpuMappings: ['gpu-a'],
      disks: [
        { sizeGib: 40, datastoreId: 'fast', ssd: true },
        { sizeGib: 200, datastoreId: 'fast', serial: 'data' },
      ],
    });
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'providers', 'proxmox', 'schema.json'), 'utf8')) as ProviderSchemaDocument;
    expect(validateTerraformJson(tf, schema).filter((f) => f.severity === 'error')).toEqual([]);
    expect(resourceAt(tf, VM, 'app')).toMatchObject({
      machine: 'q35',
      bios: 'ovmf',
      protection: true,
      hostpci: [{ device: 'hostpci0', mapping: 'gpu-a', pcie: true }],
      lifecycle: { prevent_destroy: true },
    });
  });

  it('without userData uploads no snippet', () => {
    const { vm, tf } = synthOwnStack({ userData: undefined });
    expect(vm.snippet).toBeUndefined();
    expect(tf.resource[FILE]).toBeUndefined();
    expect(resourceAt(tf, VM, 'app').initialization).not.toHaveProperty('user_data_file_id');
  });

  it('reports every bad prop at once as typed errors, each with its path, value and a hint', () => {
    let error: unknown;
    try {
      synthOwnStack({ disks: [], memoryGib: 0, importExisting: true, network: { bridge: 'vmbr0', address: '192.0.2.10/24', gateway: '192.0.2.1/24' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    const e = error as InvalidPropsError;
    expect(e.exitCode).toBe(ExitCode.userError);
    expect(e.message).toBe('ProxmoxVm mine/app: 4 problems in its props');
    expect(e.errors.map((x) => [x.path, x.value])).toEqual([
      ['vmId', undefined],
      ['network.gateway', '192.0.2.1/24'],
      ['memoryGib', 0],
      ['disks', []],
    ]);
    expect(e.errors.map((x) => x.hint)).toEqual([
      expect.stringMatching(/<nodeName>\/<vmId>/),
      expect.stringMatching(/without a prefix/),
      expect.stringMatching(/in GiB/),
      expect.stringMatching(/boot disk/),
    ]);
  });
});
