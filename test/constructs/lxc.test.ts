import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { testingApp } from '../support/testing-app';
import { describe, expect, it } from 'vitest';
import { LxcTemplate, Peer, Port, ProxmoxLxc, type ProxmoxLxcProps } from '../../constructs';
import { DEFAULT_LXC_TEMPLATE_SHA512, DEFAULT_LXC_TEMPLATE_URL, ExitCode, InvalidPropsError, InvalidSpecError, SpecError } from '../../model';
import { pve } from '../../providers/proxmox';
import { type ProviderSchemaDocument, validateTerraformJson } from '../../providers/proxmox/schema-validator';
import { PlatformStack } from '../../stacks/platform-stack';
import { fixtureEnv, resourceAt, resourcesOf, synthEnv, type TfJson } from './fixture';

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
      new PlatformStack(testingApp(), { env });
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
      // The sha512sum line of pve-manager's aplinfo/aplinfo.dat for ubuntu-24.04-standard 24.04-2.
      checksum: '45c2978e6b97fe292ada95fe06834276015e5739a594db4de2fdfd830fa0c37942e8ae118fc1e32ffd9154b3f9378b592738b668ea3957db41f2907b86f219de',
      checksum_algorithm: 'sha512',
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

  it('accepts from an environment what the spec validator accepts: a routed gateway outside the prefix', () => {
    // The props checks of the standalone path must never be stricter than the validator, or a
    // spec that passed every check would fail at synth.
    const env = fixtureEnv((s) => (s.networks = [{ ...s.networks[0]!, gateway: '10.8.0.1' }]));
    expect(resourceAt(synthEnv(env), CT, 'infer').initialization).toMatchObject({ ip_config: [{ ipv4: { address: '10.9.0.31/24', gateway: '10.8.0.1' } }] });
  });

  it('synthesizes the fixture container as snapshotted', () => {
    expect(resourceAt(synthEnv(fixtureEnv()), CT, 'infer')).toMatchSnapshot();
  });
});

describe("ProxmoxLxc on its own, in a user's cdktf stack (no environment)", () => {
  const TEMPLATE_FILE = 'ubuntu-24.04-standard_24.04-2_amd64.tar.zst';
  // GIVEN a plain cdktf stack with the provider, as a user writes it
  const ownStack = () => {
    const stack = new TerraformStack(testingApp(), 'mine');
    new pve.provider.ProxmoxProvider(stack, 'proxmox', {});
    return stack;
  };
  const required: ProxmoxLxcProps = { name: 'cache', nodeName: 'pve1', network: { bridge: 'vmbr0', address: '192.0.2.20/24', gateway: '192.0.2.1' } };
  const synthOwnStack = (props: Partial<ProxmoxLxcProps> = {}) => {
    const stack = ownStack();
    const ct = new ProxmoxLxc(stack, 'cache', { ...required, ...props });
    ct.connections.allowFrom(Peer.cidr('198.51.100.0/24'), Port.tcp(6379), 'Redis from the office');
    return { ct, tf: JSON.parse(Testing.synth(stack)) as TfJson };
  };
  const schema = () => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'providers', 'proxmox', 'schema.json'), 'utf8')) as ProviderSchemaDocument;
  const propsError = (props: Partial<ProxmoxLxcProps>): InvalidPropsError => {
    try {
      synthOwnStack(props);
    } catch (e) {
      if (e instanceof InvalidPropsError) return e;
      throw e;
    }
    throw new Error('no InvalidPropsError');
  };

  it('synthesizes the container with its documented defaults, the template download and the firewall', () => {
    // WHEN only the required props are given
    const { ct, tf } = synthOwnStack();
    // THEN
    const resource = resourceAt(tf, CT, 'cache');
    expect(resource).toMatchObject({
      node_name: 'pve1',
      description: 'managed by pvestack',
      tags: ['pvestack'],
      unprivileged: true,
      protection: false,
      started: true,
      start_on_boot: true,
      cpu: { cores: 1 },
      memory: { dedicated: 1024 },
      disk: { datastore_id: 'local-lvm', size: 8 },
      operating_system: { template_file_id: `local:vztmpl/${TEMPLATE_FILE}`, type: 'ubuntu' },
      network_interface: [{ name: 'eth0', bridge: 'vmbr0', firewall: true }],
      initialization: { hostname: 'cache', ip_config: [{ ipv4: { address: '192.0.2.20/24', gateway: '192.0.2.1' } }], dns: { servers: ['192.0.2.1'] } },
    });
    for (const absent of ['vm_id', 'mount_point', 'features', 'device_passthrough', 'startup', 'lifecycle']) expect(resource).not.toHaveProperty(absent);
    expect(resource.initialization).not.toHaveProperty('user_account');
    const [address, download] = Object.entries(tf.resource['proxmox_download_file']!)[0]!;
    expect(Object.keys(tf.resource['proxmox_download_file']!)).toHaveLength(1);
    expect(download).toMatchObject({
      node_name: 'pve1',
      datastore_id: 'local',
      content_type: 'vztmpl',
      url: DEFAULT_LXC_TEMPLATE_URL,
      file_name: TEMPLATE_FILE,
      checksum: DEFAULT_LXC_TEMPLATE_SHA512,
      checksum_algorithm: 'sha512',
    });
    expect(resource.depends_on).toEqual([`proxmox_download_file.${address}`]);
    expect(ct.template?.fileId).toBe(`local:vztmpl/${TEMPLATE_FILE}`);
    const rules = resourcesOf(tf, 'proxmox_virtual_environment_firewall_rules').flatMap((r) => r.rule as Record<string, unknown>[]);
    expect(rules).toContainEqual(expect.objectContaining({ source: '198.51.100.0/24', dport: '6379', proto: 'tcp', action: 'ACCEPT' }));
    expect(validateTerraformJson(tf, schema()).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('passes the offline provider schema validation with every prop set', () => {
    const stack = ownStack();
    const template = LxcTemplate.forNode(stack, {
      nodeName: 'pve1',
      template: 'fast:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
      templateUrl: 'http://download.proxmox.com/images/system/debian-12-standard_12.7-1_amd64.tar.zst',
      templateChecksum: 'ab'.repeat(64),
    });
    new ProxmoxLxc(stack, 'cache', {
      ...required,
      network: { ...required.network, vlanId: 20, dnsServers: ['192.0.2.53'], domain: 'example.internal' },
      vmId: 150,
      description: 'session cache',
      tags: ['cache', 'pvestack'],
      cores: 2,
      memoryGib: 0.5,
      rootDisk: { datastoreId: 'fast', sizeGib: 12.5 },
      mountPoints: [{ datastoreId: 'slow', sizeGib: 100, path: '/srv/data', backup: false }],
      features: { nesting: true, keyctl: true },
      devices: [{ path: '/dev/nvidia0', mode: '0666' }, { path: '/dev/nvidiactl' }],
      sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandaloneKey ops@example'],
      template,
      osType: 'debian',
      stateful: true,
      startupOrder: 20,
    });
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(validateTerraformJson(tf, schema()).filter((f) => f.severity === 'error')).toEqual([]);
    expect(resourceAt(tf, CT, 'cache')).toMatchObject({
      vm_id: 150,
      memory: { dedicated: 512 },
      disk: { datastore_id: 'fast', size: 13 },
      mount_point: [{ volume: 'slow', size: '100G', path: '/srv/data', backup: false }],
      features: { nesting: true, keyctl: true },
      device_passthrough: [{ path: '/dev/nvidia0', mode: '0666' }, { path: '/dev/nvidiactl' }],
      network_interface: [{ vlan_id: 20 }],
      initialization: { dns: { servers: ['192.0.2.53'], domain: 'example.internal' }, user_account: { keys: [expect.stringMatching(/^ssh-ed25519 /)] } },
      operating_system: { template_file_id: 'fast:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst', type: 'debian' },
      protection: true,
      startup: { order: 20 },
      lifecycle: { prevent_destroy: true, ignore_changes: ['initialization[0].user_account[0].keys'] },
    });
    expect(resourcesOf(tf, 'proxmox_download_file')).toEqual([expect.objectContaining({ datastore_id: 'fast', checksum_algorithm: 'sha512' })]);
  });

  it('imports an existing container without downloading anything', () => {
    const { ct, tf } = synthOwnStack({ importExisting: true, vmId: 150, existingTemplateId: `local:vztmpl/${TEMPLATE_FILE}` });
    expect(ct.template).toBeUndefined();
    expect(tf.resource['proxmox_download_file']).toBeUndefined();
    expect(tf.import).toEqual([expect.objectContaining({ id: 'pve1/150', to: expect.stringMatching(/^proxmox_virtual_environment_container\.cache_/) })]);
    expect(resourceAt(tf, CT, 'cache').lifecycle).toEqual({
      ignore_changes: ['operating_system[0].template_file_id', 'initialization[0].user_account', 'mount_point'],
    });
  });

  it('reports every bad prop at once, each with its path, value and a hint', () => {
    const error = propsError({ name: 'bad_name', cores: 0, rootDisk: { datastoreId: 'local-lvm', sizeGib: -1 } });
    expect(error.exitCode).toBe(ExitCode.userError);
    expect(error.errors.map((e) => e.path)).toEqual(['name', 'cores', 'rootDisk.sizeGib']);
    expect(error.format()).toBe(
      [
        'ProxmoxLxc mine/cache: 3 problems in its props:',
        '  - name: is not a host name (got "bad_name"). Use letters, digits and hyphens (dots between labels), e.g. app-1.',
        '  - cores: must be a positive integer (got 0). Give at least one core, e.g. 2.',
        '  - rootDisk.sizeGib: must be a positive number (got -1). Give the root disk size in GiB, e.g. 8.',
      ].join('\n'),
    );
    expect(error.toJSON()).toMatchObject({ error: 'InvalidProps', construct: 'ProxmoxLxc mine/cache', errors: [{ path: 'name', value: 'bad_name' }, {}, {}] });
  });

  it.each<[string, Partial<ProxmoxLxcProps>, string, RegExp]>([
    ['an address without prefix', { network: { ...required.network, address: '192.0.2.20' } }, 'network.address', /prefix/],
    ['a gateway with a prefix', { network: { ...required.network, gateway: '192.0.2.1/24' } }, 'network.gateway', /without a prefix/],
    ['a DNS server that is no address', { network: { ...required.network, dnsServers: ['dns.example'] } }, 'network.dnsServers[0]', /resolver address/],
    ['a vmId below 100', { vmId: 42 }, 'vmId', /below 100/],
    ['an import without vmId', { importExisting: true }, 'vmId', /<nodeName>\/<vmId>/],
    ['fractional cores', { cores: 1.5 }, 'cores', /core/],
    ['a relative mount path', { mountPoints: [{ datastoreId: 'slow', sizeGib: 10, path: 'srv' }] }, 'mountPoints[0].path', /\/srv\/data/],
    ['a device outside /dev', { devices: [{ path: '/sys/class/x' }] }, 'devices[0].path', /\/dev\/nvidia0/],
    ['a VLAN tag out of range', { network: { ...required.network, vlanId: 4095 } }, 'network.vlanId', /802\.1Q/],
  ])('rejects %s', (_, props, field, hint) => {
    const error = propsError(props);
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]).toBeInstanceOf(SpecError);
    expect(error.errors[0]!.path).toBe(field);
    expect(error.errors[0]!.hint).toMatch(hint);
  });

  it('needs the URL of a template other than the default', () => {
    const stack = ownStack();
    expect(() => LxcTemplate.forNode(stack, { nodeName: 'pve1', template: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst' })).toThrow(
      expect.objectContaining({ path: 'props.templateUrl', hint: expect.stringMatching(/pinned URL/) }),
    );
  });
});
