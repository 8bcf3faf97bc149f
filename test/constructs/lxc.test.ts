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
    expect((ct.device_passthrough as { path: string }[]).map((d) => d.path)).toEqual(['/dev/nvidia1', '/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools']);
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

  it('synthesizes the fixture container as snapshotted', () => {
    expect(resourceAt(synthEnv(fixtureEnv()), CT, 'infer')).toMatchSnapshot();
  });
});
