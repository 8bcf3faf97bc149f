import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { InvalidSpecError, SpecError } from '../../model';
import { PlatformStack } from '../../stacks/platform-stack';
import { fixtureEnv, resourceAt, synthEnv } from './fixture';

const CT = 'proxmox_virtual_environment_container';

describe('ProxmoxLxc', () => {
  it('is unprivileged by default, with nesting for Docker and its NIC behind the firewall', () => {
    const ct = resourceAt(synthEnv(fixtureEnv()), CT, 'infer');
    expect(ct).toMatchObject({
      unprivileged: true,
      features: { nesting: true, keyctl: true },
      network_interface: [{ name: 'eth0', bridge: 'vmbr1', firewall: true }],
      mount_point: [{ volume: 'slow', size: '100G', path: '/srv/cache', backup: true }],
      vm_id: 104,
    });
  });

  it('has no nesting when it runs no stacks', () => {
    const ct = resourceAt(synthEnv(fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, stacks: [] }))), CT, 'infer');
    expect(ct).not.toHaveProperty('features');
  });

  it('reaches its GPU through the host driver device nodes and records the driver version', () => {
    const ct = resourceAt(synthEnv(fixtureEnv()), CT, 'infer');
    // gpu-b is the second card in PCI order on pve1, so the driver names it /dev/nvidia1.
    expect((ct.device_passthrough as { path: string }[]).map((d) => d.path)).toEqual([
      '/dev/nvidia1',
      '/dev/nvidiactl',
      '/dev/nvidia-uvm',
      '/dev/nvidia-uvm-tools',
    ]);
    expect(ct.tags).toEqual(expect.arrayContaining(['gpu', 'nvidia-driver-550.127.05']));
    expect(ct).not.toHaveProperty('hostpci');
  });

  it('needs the node driver version for a GPU container', () => {
    const env = fixtureEnv((s) => ((s.cluster as { nodes: unknown[] }).nodes = [{ ...s.cluster.nodes[0]!, nvidiaDriverVersion: undefined }]));
    let error: unknown;
    try {
      new PlatformStack(Testing.app(), { env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).path).toBe('cluster.nodes[0].nvidiaDriverVersion');
  });

  it('rejects a privileged container without a reason', () => {
    expect(() => fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, lxc: { unprivileged: false } }))).toThrow(InvalidSpecError);
    try {
      fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, lxc: { unprivileged: false } }));
    } catch (e) {
      expect((e as InvalidSpecError).errors.map((x) => x.path)).toContain('guests[3].lxc.privilegedReason');
    }
  });

  it('runs privileged when the spec gives a reason', () => {
    const env = fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, lxc: { unprivileged: false, privilegedReason: 'NFS server kernel module' } }));
    expect(resourceAt(synthEnv(env), CT, 'infer').unprivileged).toBe(false);
  });

  it('protects a stateful container', () => {
    const ct = resourceAt(synthEnv(fixtureEnv((s) => (s.guests[3] = { ...s.guests[3]!, stateful: true }))), CT, 'infer');
    expect(ct.protection).toBe(true);
    expect(ct.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['initialization[0].user_account[0].keys'] });
  });

  it('is created from a pinned template download on its node, and waits for it', () => {
    const tf = synthEnv(fixtureEnv());
    const ct = resourceAt(tf, CT, 'infer');
    const [address, download] = Object.entries(tf.resource['proxmox_download_file']!).find(([, d]) => d.content_type === 'vztmpl')!;
    expect(download).toMatchObject({
      node_name: 'pve1',
      datastore_id: 'local',
      content_type: 'vztmpl',
      url: 'http://download.proxmox.com/images/system/ubuntu-24.04-standard_24.04-2_amd64.tar.zst',
      file_name: 'ubuntu-24.04-standard_24.04-2_amd64.tar.zst',
      overwrite: false,
      overwrite_unmanaged: true,
    });
    expect(ct.operating_system).toEqual({ template_file_id: 'local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst', type: 'ubuntu' });
    expect(ct.depends_on).toContain(`proxmox_download_file.${address}`);
  });

  it("downloads a pinned template with its checksum to the node's template datastore", () => {
    const sha512 = 'ab'.repeat(64);
    const tf = synthEnv(
      fixtureEnv((s) => {
        s.cluster = { ...s.cluster, nodes: s.cluster.nodes.map((n, i) => (i === 0 ? { ...n, templateDatastore: 'slow' } : n)) };
        s.guests[3] = {
          ...s.guests[3]!,
          lxc: { templateUrl: 'http://download.proxmox.com/images/system/debian-12-standard_12.7-1_amd64.tar.zst', templateChecksum: sha512 },
        };
      }),
    );
    const downloads = Object.values(tf.resource['proxmox_download_file']!).filter((d) => d.content_type === 'vztmpl');
    expect(downloads).toEqual([
      expect.objectContaining({ datastore_id: 'slow', file_name: 'debian-12-standard_12.7-1_amd64.tar.zst', checksum: sha512, checksum_algorithm: 'sha512' }),
    ]);
    expect(resourceAt(tf, CT, 'infer').operating_system).toMatchObject({ template_file_id: 'slow:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst' });
  });

  it('synthesizes the fixture container as snapshotted', () => {
    expect(resourceAt(synthEnv(fixtureEnv()), CT, 'infer')).toMatchSnapshot();
  });
});
