import { describe, expect, it } from 'vitest';
import { HOST_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

const LOCAL = (content: string[]) => ({ id: 'local', type: 'dir', content });
/** A container on pve2 running a Docker stack. */
const container = (extra: Record<string, unknown> = {}) => ({
  name: 'cache',
  kind: 'lxc',
  role: 'cache',
  node: 'pve2',
  vmId: 105,
  cores: 1,
  memoryGib: 2,
  disks: [{ sizeGib: 8, datastore: 'local-lvm' }],
  ipv4: '10.0.0.40',
  stacks: [{ kind: 'redis', passwordSecret: 'db-password' }],
  ...extra,
});

describe('host precondition rules', () => {
  it('the base fixture has no host findings', () => {
    const e = env();
    for (const rule of HOST_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  describe('PVE-HOST-001 datastore content', () => {
    it('fails when the snippet datastore lacks snippets, names every guest that needs it and shows the fix', () => {
      const found = findings(
        env((s) => (s.cluster.nodes[1].datastores[1] = LOCAL(['iso', 'vztmpl', 'backup', 'import']))),
        'PVE-HOST-001',
      );
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        severity: 'error',
        path: 'cluster.nodes[1].snippetDatastore',
        node: 'pve2',
        message:
          'datastore local on pve2 holds iso, vztmpl, backup, import but not snippets, which cloud-init snippet of VM proxy, cloud-init snippet of VM web need',
      });
      expect(found[0]!.hint).toContain("content: ['iso', 'vztmpl', 'backup', 'import', 'snippets']");
      expect(found[0]!.hint).toContain('`pvestack ansible fixture proxmox-host-storage`');
      expect(found[0]!.hint).toContain('`pvesm set local --content iso,vztmpl,backup,import,snippets`');
    });

    it("fails for a node that keeps the installer's local storage (no snippets, no import)", () => {
      const found = findings(
        env((s) => s.cluster.nodes[0].datastores.splice(1, 1)),
        'PVE-HOST-001',
      );
      expect(found.map((f) => [f.path, f.message.split(',')[0]])).toEqual([
        ['cluster.nodes[0].imageDatastore', 'datastore local on pve1 holds iso'],
        ['cluster.nodes[0].snippetDatastore', 'datastore local on pve1 holds iso'],
      ]);
      expect(found.map((f) => f.message)).toEqual([
        expect.stringContaining('but not import, which cloud image of VM db, cloud image of VM llm need'),
        expect.stringContaining('but not snippets'),
      ]);
    });

    it('says when the chosen datastore can never hold the type', () => {
      const [f] = findings(
        env((s) => (s.cluster.nodes[1].snippetDatastore = 'local-lvm')),
        'PVE-HOST-001',
      );
      expect(f!.message).toBe(
        'datastore local-lvm on pve2 holds images, rootdir but not snippets, which cloud-init snippet of VM proxy, cloud-init snippet of VM web need',
      );
      expect(f!.hint).toBe(
        'A lvmthin storage cannot hold snippets (it holds images, rootdir): choose a dir, nfs or cifs datastore such as local for cluster.nodes[1].snippetDatastore.',
      );
    });

    it('checks the template storage and the rootdir content of container volumes', () => {
      const found = findings(
        env((s) => {
          s.cluster.nodes[1].datastores = [{ id: 'local-lvm', type: 'lvmthin', content: ['images'] }, LOCAL(['iso', 'backup', 'snippets', 'import'])];
          s.guests.push(container());
        }),
        'PVE-HOST-001',
      );
      expect(found.map((f) => [f.path, f.message])).toEqual([
        [
          'cluster.nodes[1].templateDatastore',
          'datastore local on pve2 holds iso, backup, snippets, import but not vztmpl, which container template of container cache needs',
        ],
        ['guests[4].disks[0].datastore', 'datastore local-lvm on pve2 holds images but not rootdir, which volume root of container cache needs'],
      ]);
    });

    it('asks nothing of the snippet, image or template datastore for adopted guests (they exist already)', () => {
      const found = findings(
        env((s) => {
          s.cluster.nodes[1].datastores[1] = LOCAL(['iso', 'backup']);
          s.guests[0].adopt = true;
          s.guests[1].adopt = true;
          s.guests.push(container({ adopt: true }));
        }),
        'PVE-HOST-001',
      );
      expect(found).toEqual([]);
    });

    it('passes once the content is declared', () => {
      expect(
        findings(
          env((s) => s.guests.push(container())),
          'PVE-HOST-001',
        ),
      ).toEqual([]);
    });
  });

  describe('PVE-HOST-002 Proxmox version', () => {
    it('fails below 8.4 when VMs import their boot disk, with the upgrade as fix', () => {
      const [f] = findings(
        env((s) => (s.cluster.minProxmoxVersion = '8.3')),
        'PVE-HOST-002',
      );
      expect(f).toMatchObject({ severity: 'error', path: 'cluster.minProxmoxVersion' });
      expect(f!.message).toBe(
        'cluster.minProxmoxVersion is 8.3, but the boot disks of VMs proxy, web, db, llm are imported from a cloud image downloaded with content type import, which Proxmox VE supports from 8.4',
      );
      expect(f!.hint).toContain("set cluster.minProxmoxVersion: '8.4'");
    });

    it.each(['8.4', '9.0', '9.1'])('passes at %s', (v) => {
      expect(
        findings(
          env((s) => (s.cluster.minProxmoxVersion = v)),
          'PVE-HOST-002',
        ),
      ).toEqual([]);
    });
  });

  describe('PVE-HOST-003 provider authentication', () => {
    it('fails for Docker in a container under an API token, naming the guest, the feature and both ways out', () => {
      const [f] = findings(
        env((s) => s.guests.push(container())),
        'PVE-HOST-003',
      );
      expect(f).toMatchObject({ severity: 'error', path: 'guests[4]', guest: 'cache' });
      expect(f!.message).toBe(
        'container cache needs the keyctl feature flag (Docker in an unprivileged container), which Proxmox allows only for root@pam, but cluster.providerAuth is api-token (an API token is refused with "only allowed for root@pam")',
      );
      expect(f!.hint).toContain("set cluster.providerAuth: 'root-password'");
      expect(f!.hint).toContain('PROXMOX_VE_USERNAME=root@pam and PROXMOX_VE_PASSWORD');
      expect(f!.hint).toContain('in a VM (kind: vm)');
    });

    it('names device passthrough for a GPU container and the flags of a privileged one', () => {
      const [gpu] = findings(
        env((s) => ((s.guests[3] = { ...s.guests[3], kind: 'lxc', stacks: [] }), (s.cluster.nodes[0].nvidiaDriverVersion = '550.127.05'))),
        'PVE-HOST-003',
      );
      expect(gpu!.message).toContain('container llm needs device passthrough (/dev/nvidia*) for its GPU');
      const [priv] = findings(
        env((s) => s.guests.push(container({ lxc: { unprivileged: false, privilegedReason: 'Needs raw sockets for the legacy agent.' } }))),
        'PVE-HOST-003',
      );
      expect(priv!.message).toContain('feature flags (nesting, keyctl) on a privileged container');
    });

    it('passes with root-password, and for a container that needs nothing only root may set', () => {
      expect(
        findings(
          env((s) => (s.guests.push(container()), (s.cluster.providerAuth = 'root-password'))),
          'PVE-HOST-003',
        ),
      ).toEqual([]);
      expect(
        findings(
          env((s) => s.guests.push(container({ stacks: [] }))),
          'PVE-HOST-003',
        ),
      ).toEqual([]);
    });
  });

  describe('PVE-HOST-004 template checksum', () => {
    const DEBIAN = 'http://download.proxmox.com/images/system/debian-12-standard_12.7-1_amd64.tar.zst';
    it('warns about a template downloaded without a checksum', () => {
      const [f] = findings(
        env((s: Draft) => s.guests.push(container({ lxc: { templateUrl: DEBIAN } }))),
        'PVE-HOST-004',
      );
      expect(f).toMatchObject({ severity: 'warning', path: 'guests[4].lxc', guest: 'cache' });
      expect(f!.message).toContain(`local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst of container cache is downloaded from ${DEBIAN} without a checksum`);
      expect(f!.hint).toContain('lxc.templateChecksum');
    });

    it("passes for the default template, which carries the Proxmox template index's checksum", () => {
      expect(
        findings(
          env((s: Draft) => s.guests.push(container())),
          'PVE-HOST-004',
        ),
      ).toEqual([]);
    });

    it('passes with a checksum', () => {
      expect(
        findings(
          env((s) => s.guests.push(container({ lxc: { templateUrl: DEBIAN, templateChecksum: 'ab'.repeat(64) } }))),
          'PVE-HOST-004',
        ),
      ).toEqual([]);
    });
  });
});
