import { describe, expect, it } from 'vitest';
import { buildInventory, ListGroup, renderInventoryYaml } from '../../ansible-bridge/inventory';
import { arcMinBytes, gibToBytes } from '../../ansible-bridge/host-vars';
import { groupName } from '../../ansible-bridge/groups';
import { InvalidSpecError, validateEnvironment } from '../../model';
import type { EnvironmentSpec } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { renderGuest } from '../../templates/render';
import { storageBoxCredentialsPath, storageBoxKeyPath } from '../../templates/storage-box-units';
import { parse } from 'yaml';
import { smallSpec } from './fixture';

const small = (spec: EnvironmentSpec = smallSpec()) => buildInventory(validateEnvironment(spec, 'fixture'));
const hostsOf = (inv: ReturnType<typeof buildInventory>, group: string) => inv.list[group]?.hosts;

describe('buildInventory on production', () => {
  const inv = buildInventory(loadEnvironment('production'));
  const vars = inv.list._meta.hostvars;

  it('nests every group under the environment group', () => {
    expect(inv.list.all).toEqual({ children: ['production'] });
    expect(inv.list.production!.vars).toEqual({ pvestack_environment: 'production', pvestack_admin_user: 'ops' });
    expect(inv.list.production!.children).toEqual(
      expect.arrayContaining(['vm', 'proxmox_nodes', 'web', 'db', 'cache', 'llm', 'gpu', 'proxy', 'node_pve1', 'stack_postgres', 'storage_box']),
    );
  });

  it('groups guests by role, GPU, node and kind, and the hypervisors in proxmox_nodes', () => {
    expect(hostsOf(inv, 'web')).toEqual(['web-1', 'web-2']);
    expect(hostsOf(inv, 'gpu')).toEqual(['llm', 'ml']);
    expect(hostsOf(inv, 'node_pve4')).toEqual(['llm', 'workers']);
    expect(hostsOf(inv, 'node_pve3')).toEqual(['db', 'cache', 'monitoring']);
    expect(hostsOf(inv, 'vm')).toHaveLength(9);
    expect(hostsOf(inv, 'proxmox_nodes')).toEqual(['pve1', 'pve2', 'pve3', 'pve4', 'pve5']);
    expect(hostsOf(inv, 'stack_vllm')).toEqual(['llm']);
    expect(inv.list.lxc).toBeUndefined(); // empty groups are left out
  });

  it('gives guests connection vars, stacks, data disks and Storage Box secret files by env var name only', () => {
    expect(vars.db).toMatchObject({
      ansible_host: '10.20.0.20',
      ansible_user: 'ops',
      ansible_port: 22,
      pvestack_role: 'db',
      pvestack_node: 'pve3',
      pvestack_vm_id: 120,
      pvestack_stateful: true,
      pvestack_root_login_needed: false,
      // The host exporter production's monitoring scrapes is derived for db (model/derived-exporters.ts).
      pvestack_stacks: [
        { kind: 'postgres', name: 'postgres', ports: ['tcp/5432'] },
        { kind: 'node-exporter', name: 'node-exporter', ports: ['tcp/9100'] },
      ],
      pvestack_data_disks: [{ name: 'pgdata', size_gib: 8192, datastore: 'tank-db', mount_point: '/var/lib/postgresql' }],
      pvestack_mount_points: ['/var/lib/postgresql'],
      pvestack_storage_box_secret_files: [
        {
          box: 'offsite',
          type: 'cifs-credentials',
          path: storageBoxCredentialsPath('offsite'),
          user: 'u123456',
          secret: 'storagebox-password',
          env: 'PVESTACK_STORAGEBOX_PASSWORD',
        },
      ],
    });
    expect(vars.llm!.pvestack_gpus).toEqual([
      {
        name: 'gpu-pve4-0',
        pci_address: '0000:01:00.0',
        model: 'NVIDIA RTX 6000 Ada',
        vram_gib: 48,
        device_id: '10de:26b1',
        subsystem_id: '10de:16a1',
        iommu_group: 14,
        all_functions: true,
        compute_capability: 8.9,
      },
    ]);
  });

  it('gives nodes the content types of their storages, leaving out the ones Terraform creates', () => {
    expect(vars.pve4!.pvestack_storage_content).toEqual([
      { id: 'local-lvm', content: ['images', 'rootdir'] },
      { id: 'local', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
    ]);
  });

  it('gives nodes their GPUs, vfio ids, RAM and ARC limit in bytes', () => {
    expect(vars.pve4).toMatchObject({
      ansible_host: 'pve4',
      ansible_user: 'root',
      pvestack_memory_gib: 192,
      pvestack_vfio_ids: ['10de:26b1'],
      pvestack_zfs_pools: ['tank-models'],
    });
    expect((vars.pve4!.pvestack_gpus as { guest: string }[])[0]!.guest).toBe('llm');
    // 10% of 256 GiB capped at 16 GiB (the installer's rule); pve2 has no pool, so no limit.
    expect(vars.pve3).toMatchObject({ pvestack_zfs_arc_max_gib: 16, pvestack_zfs_arc_max_bytes: 16 * 1024 ** 3 });
    expect(vars.pve2).toMatchObject({ pvestack_zfs_arc_max_bytes: 0, pvestack_vfio_ids: [], pvestack_gpus: [] });
    expect(vars.pve3!.pvestack_zfs_arc_min_bytes).toBeUndefined();
  });

  it('renders a YAML inventory with the same groups, host vars written once, PCI addresses quoted for YAML 1.1', () => {
    const env = loadEnvironment('production');
    const text = renderInventoryYaml(inv, env);
    expect(text).toContain('pci_address: "0000:01:00.0"');
    const doc = parse(text) as { all: { children: { production: { children: Record<string, { hosts: Record<string, unknown> }> } } } };
    const groups = doc.all.children.production.children;
    for (const [name, group] of Object.entries(inv.list)) {
      if (name === '_meta' || name === 'all' || name === 'production') continue;
      expect(Object.keys(groups[name]!.hosts), name).toEqual((group as ListGroup).hosts);
    }
    expect(groups.vm!.hosts.db).toEqual(inv.list._meta.hostvars.db);
    expect(groups.db!.hosts.db).toBeNull();
  });
});

describe('buildInventory on production-as-planned', () => {
  it('maps the hyphenated environment name to an Ansible group name, keeping the real name in a var', () => {
    const inv = buildInventory(loadEnvironment('production-as-planned'));
    expect(inv.group).toBe('production_as_planned');
    expect(inv.list.all!.children).toEqual(['production_as_planned']);
    expect(inv.list.production_as_planned!.vars!.pvestack_environment).toBe('production-as-planned');
    expect(groupName('node-pve-a')).toBe('node_pve_a');
    expect(groupName('9lives')).toBe('_9lives');
  });
});

describe('buildInventory on a small fixture', () => {
  it('covers every kind, node groups with underscores, and node addresses from the spec', () => {
    const inv = small();
    expect(hostsOf(inv, 'vm')).toEqual(['infer']);
    expect(hostsOf(inv, 'lxc')).toEqual(['kv']);
    expect(hostsOf(inv, 'external')).toEqual(['edge']);
    expect(hostsOf(inv, 'node_pve_a')).toEqual(['infer']);
    expect(hostsOf(inv, 'proxy')).toEqual(['edge']);
    expect(hostsOf(inv, 'storage_box')).toEqual(['edge']);
    const v = inv.list._meta.hostvars;
    expect(v['pve-a']!.ansible_host).toBe('192.0.2.10');
    expect(v['pve-b']!.ansible_host).toBe('pve-b');
    expect(v.edge).toMatchObject({ ansible_host: '127.0.0.1', ansible_user: 'root', pvestack_root_login_needed: true, pvestack_kind: 'external' });
    expect(v.edge!.pvestack_node).toBeUndefined();
    expect(v.kv!.pvestack_data_disks).toEqual([]); // the first disk is the boot disk
  });

  it('lists one secret file per box and protocol, at the paths the mount units use', () => {
    const files = small().list._meta.hostvars.edge!.pvestack_storage_box_secret_files;
    expect(files).toEqual([
      {
        box: 'backup',
        type: 'cifs-credentials',
        path: storageBoxCredentialsPath('backup'),
        user: 'u111111',
        secret: 'box-password',
        env: 'PVESTACK_TEST_BOX_PASSWORD',
      },
      { box: 'models', type: 'ssh-key', path: storageBoxKeyPath('models'), user: 'u222222-sub1', secret: 'box-key', env: 'PVESTACK_TEST_BOX_KEY' },
    ]);
  });

  it('deduplicates vfio ids and leaves GPUs given to containers with the host driver', () => {
    expect(small().list._meta.hostvars['pve-a']!.pvestack_vfio_ids).toEqual(['10de:27b8']);
    const spec = smallSpec();
    const withLxcGpu: EnvironmentSpec = {
      ...spec,
      cluster: {
        nodes: [
          {
            ...spec.cluster.nodes[0]!,
            nvidiaDriverVersion: '550.127.05',
            gpus: [spec.cluster.nodes[0]!.gpus![0]!, { ...spec.cluster.nodes[0]!.gpus![1]!, deviceId: '10de:26b9' }],
          },
          spec.cluster.nodes[1]!,
        ],
      },
      guests: spec.guests.map((g) => (g.name === 'kv' ? { ...g, node: 'pve-a', gpus: ['gpu-a-1'] } : g)),
    };
    const v = small(withLxcGpu).list._meta.hostvars['pve-a']!;
    expect(v.pvestack_vfio_ids).toEqual(['10de:27b8']);
    expect(v.pvestack_nvidia_driver_version).toBe('550.127.05');
  });

  it('sets zfs_arc_min where ZFS would ignore the maximum (max <= RAM/32)', () => {
    const env = validateEnvironment(smallSpec(), 'fixture');
    const big = { ...env.cluster.nodes[0]!, memoryGib: 1024, zfsArcMaxGib: 16 };
    expect(arcMinBytes(big)).toBe(gibToBytes(8));
    expect(arcMinBytes({ ...big, memoryGib: 128 })).toBeUndefined();
    expect(arcMinBytes({ ...big, zfsArcMaxGib: 0 })).toBeUndefined();
    expect(gibToBytes(12.8)).toBe(13743895347);
  });

  it("refuses names that collide in Ansible's namespace, with spec paths", () => {
    const spec = smallSpec();
    const fails = (s: EnvironmentSpec) => {
      try {
        small(s);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidSpecError);
        return (err as InvalidSpecError).errors.map((e) => e.path);
      }
      throw new Error('expected an InvalidSpecError');
    };
    expect(fails({ ...spec, name: 'proxy' })).toEqual(['name']);
    expect(fails({ ...spec, guests: spec.guests.map((g) => (g.name === 'kv' ? { ...g, name: 'pve-a' } : g)) })).toContain('cluster.nodes[0].name');
    // A host named like a group it is not in (`cache` is kv's role group) would be selected by that group's pattern.
    expect(fails({ ...spec, guests: spec.guests.map((g) => (g.name === 'edge' ? { ...g, name: 'cache' } : g)) })).toEqual(['guests[2].name']);
  });
});

describe('stack names in the host variables', () => {
  it('two Redis stacks on one guest are redis and redis-2, exactly as the renderer names their directories', () => {
    // GIVEN a guest with two Redis stacks (sessions and cache on different ports)
    const base = smallSpec();
    const twoRedis = [
      { kind: 'redis', passwordSecret: 'redis-password' },
      { kind: 'redis', passwordSecret: 'redis-password', port: 6380 },
    ] as const;
    const spec: EnvironmentSpec = { ...base, guests: base.guests.map((g) => (g.name === 'kv' ? { ...g, stacks: twoRedis } : g)) };
    const env = validateEnvironment(spec, 'fixture');
    // WHEN the inventory and the rendered stacks are built
    const vars = buildInventory(env).list._meta.hostvars;
    const rendered = renderGuest(
      env,
      env.guests.find((g) => g.name === 'kv')!,
    ).map((s) => s.name);
    // THEN both say redis, redis-2
    expect((vars.kv!.pvestack_stacks as { name: string }[]).map((s) => s.name)).toEqual(['redis', 'redis-2']);
    expect(rendered).toEqual(['redis', 'redis-2']);
  });
});
