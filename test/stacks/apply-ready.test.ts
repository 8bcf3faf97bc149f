/**
 * The synthesized JSON of every registered environment is ready for a first apply on a stock node:
 * GPU mappings carry what Proxmox checks at VM start, every rule naming an IP set or a security
 * group waits for it, every container template is downloaded on the container's node first, and
 * adding a guest of a role replaces nothing that live flows depend on.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../checks';
import { freeAddress, freeVmId } from '../../checks/rules/addressing';
import { diffResources } from '../../diff/plan';
import type { Environment, EnvironmentSpec, GuestSpec } from '../../model';
import { validateEnvironment } from '../../model';
import { environmentNames, isBrokenOnPurpose, loadEnvironment, registeredSpec } from '../../stacks/registry';
import { synthEnv, type TfJson } from '../constructs/fixture';

/** Every registered environment with Proxmox nodes; of those kept broken on purpose, the ones that synthesize at all. */
const withNodes = environmentNames({ includeBroken: true }).filter((name) => {
  const env = loadEnvironment(name);
  if (env.cluster.nodes.length === 0) return false;
  if (!isBrokenOnPurpose(name)) return true;
  try {
    synthEnv(env);
    return true;
  } catch {
    return false;
  }
});
const entries = (tf: TfJson, type: string) => Object.entries(tf.resource[type] ?? {});
const address = (type: string, name: string) => `${type}.${name}`;
const dependsOn = (r: Record<string, unknown>) => (r.depends_on as string[] | undefined) ?? [];

const IPSET = 'proxmox_virtual_environment_firewall_ipset';
const GROUP = 'proxmox_virtual_environment_cluster_firewall_security_group';
const RULES = 'proxmox_virtual_environment_firewall_rules';

describe.each(withNodes)('%s: apply-ready output', (name) => {
  const env = loadEnvironment(name);
  const tf = synthEnv(env);

  it('every PCI mapping entry carries the IOMMU group and subsystem id of the device', () => {
    const maps = entries(tf, 'proxmox_hardware_mapping_pci').flatMap(([, r]) => r.map as Record<string, unknown>[]);
    expect(maps.length).toBe(env.cluster.nodes.flatMap((n) => n.gpus).length);
    for (const m of maps) {
      expect(m).toEqual(expect.objectContaining({ iommu_group: expect.any(Number), subsystem_id: expect.stringMatching(/^[0-9a-f]{4}:[0-9a-f]{4}$/) }));
      expect(m.path).toMatch(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}(\.[0-7])?$/);
    }
  });

  it('every resource that names +<ipset> or a security group depends on it', () => {
    const sets = new Map(entries(tf, IPSET).map(([id, r]) => [r.name as string, address(IPSET, id)]));
    const groups = new Map(entries(tf, GROUP).map(([id, r]) => [r.name as string, address(GROUP, id)]));
    let checked = 0;
    for (const type of [RULES, GROUP])
      for (const [, r] of entries(tf, type))
        for (const rule of r.rule as Record<string, string>[]) {
          const named = rule.source?.startsWith('+') ? sets.get(rule.source.slice(1)) : rule.security_group ? groups.get(rule.security_group) : undefined;
          if (named === undefined) continue;
          expect(dependsOn(r)).toContain(named);
          checked++;
        }
    expect(checked).toBeGreaterThan(0);
  });

  it('no IP set holds guests: membership changes would replace it (cidr is ForceNew)', () => {
    expect(
      entries(tf, IPSET)
        .map(([, r]) => r.name)
        .sort(),
    ).toEqual(['admin', 'management']);
  });

  it('every container is created from a vztmpl download on its node and depends on it', () => {
    const downloads = new Map(
      entries(tf, 'proxmox_download_file').map(([id, r]) => [
        `${r.node_name}|${r.datastore_id}:${r.content_type}/${r.file_name}`,
        { id: address('proxmox_download_file', id), r },
      ]),
    );
    for (const [, ct] of entries(tf, 'proxmox_virtual_environment_container')) {
      const template = (ct.operating_system as { template_file_id: string }).template_file_id;
      const download = downloads.get(`${ct.node_name}|${template}`);
      expect(download, `${template} on ${ct.node_name}`).toBeDefined();
      // Pinned URL and checksum: the node verifies what it downloads (issue point 4).
      expect(download!.r).toMatchObject({
        content_type: 'vztmpl',
        url: expect.stringMatching(/^https?:\/\/.+\.tar\.(zst|xz|gz)$/),
        checksum: expect.stringMatching(/^([0-9a-f]{64}|[0-9a-f]{128})$/),
        checksum_algorithm: expect.stringMatching(/^sha(256|512)$/),
      });
      expect(dependsOn(ct)).toContain(download!.id);
    }
  });

  it('every file the output downloads or uploads goes to a datastore of its node that holds its content type', () => {
    const uploads = [...entries(tf, 'proxmox_download_file'), ...entries(tf, 'proxmox_virtual_environment_file')].map(([, r]) => r);
    expect(uploads.length).toBeGreaterThan(0);
    for (const u of uploads) {
      const store = env.cluster.nodes.find((n) => n.name === u.node_name)?.datastores.find((d) => d.id === u.datastore_id);
      expect(store?.content, `${u.content_type} on ${u.node_name}:${u.datastore_id}`).toContain(u.content_type);
    }
  });

  it('needs no newer Proxmox VE than the spec states: import downloads only from 8.4', () => {
    const imports = entries(tf, 'proxmox_download_file').filter(([, r]) => r.content_type === 'import');
    if (imports.length > 0) expect(Number(env.cluster.minProxmoxVersion)).toBeGreaterThanOrEqual(8.4);
  });

  it('asks an API token for nothing Proxmox reserves to root@pam (container flags beyond nesting, device passthrough)', () => {
    const rootOnly = entries(tf, 'proxmox_virtual_environment_container').filter(([, ct]) => {
      const features = Object.keys((ct.features as Record<string, unknown> | undefined) ?? {});
      return features.some((f) => f !== 'nesting') || (features.length > 0 && ct.unprivileged === false) || ct.device_passthrough !== undefined;
    });
    if (rootOnly.length > 0) expect(env.cluster.providerAuth).toBe('root-password');
  });

  it('tags no NIC with the VLAN its bridge already sits on, unless the checks flag it', () => {
    const nics = [
      ...entries(tf, 'proxmox_virtual_environment_vm').flatMap(([, r]) => r.network_device as Record<string, unknown>[]),
      ...entries(tf, 'proxmox_virtual_environment_container').flatMap(([, r]) => r.network_interface as Record<string, unknown>[]),
    ];
    const doubled = nics.filter((nic) => {
      const net = env.networks.find((n) => n.bridge === nic.bridge);
      return nic.vlan_id !== undefined && (net?.bridgeVlan !== undefined || String(nic.bridge).endsWith(String(nic.vlan_id)));
    });
    const flagged = runChecks(env).findings.some((f) => f.rule === 'PVE-NET-006');
    expect(doubled.length === 0 || (isBrokenOnPurpose(name) && flagged)).toBe(true);
  });

  it('adding a guest of a role creates resources and updates rule lists in place, replacing or deleting nothing', () => {
    const spec = structuredClone(registeredSpec(name)) as EnvironmentSpec & { guests: GuestSpec[] };
    const role = roleToGrow(env);
    const model = env.guests.find((g) => g.role === role && g.kind !== 'external' && g.gpus.length === 0)!;
    const added: GuestSpec = {
      ...spec.guests[model.index]!,
      name: `${model.name}-added`,
      ipv4: freeAddress(
        env,
        env.networks.find((n) => n.name === model.network)!,
      )!,
      ...(model.vmId !== undefined ? { vmId: freeVmId(env)! } : {}),
      stacks: [],
      gpus: [],
      suppressions: [],
    };
    const grown = validateEnvironment({ ...spec, guests: [...spec.guests, added] }, `${name} + ${added.name}`);
    const changes = diffResources(tf as never, synthEnv(grown) as never, { base: env, head: grown });
    expect(changes.filter((c) => c.action === 'replace' || c.action === 'delete').map((c) => c.address)).toEqual([]);
    for (const c of changes.filter((x) => x.action === 'update')) expect([RULES, GROUP]).toContain(c.type);
    expect(changes.filter((c) => c.action === 'create').length).toBeGreaterThan(0);
    // A role the intent names as a source: the new member's address is added to its targets' rules.
    if (env.connections.some((c) => c.from.includes(`role:${role}`)))
      expect(changes.filter((c) => c.action === 'update' && c.type === RULES).length).toBeGreaterThan(0);
  });
});

/** The role the intent names as a source (its growth touches other guests' rules), else the first VM's. */
function roleToGrow(env: Environment): string {
  const named = env.connections.flatMap((c) => c.from).find((f) => f.startsWith('role:'));
  return named ? named.slice('role:'.length) : env.guests.find((g) => g.kind === 'vm' && g.gpus.length === 0)!.role;
}
