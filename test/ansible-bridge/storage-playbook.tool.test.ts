import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EnvironmentSpec } from '../../model';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { chrootVars, hasChrootConnection, PLAYBOOKS, recap, runAnsible, writeSpecAndInventory } from './support/ansible';
import { throwawayRoot, ThrowawayRoot } from './support/throwaway-root';

const tools = ['ansible-playbook', 'mmdebstrap', 'mount', ...(hasChrootConnection() ? [] : ['(ansible community.general.chroot connection)'])];
const STANDIN = path.join(__dirname, 'support', 'pve-storage-standin.py');

/** Node pve-a of the fixture with the storages a fresh install has, `local` declared with what the output needs. */
function specWith(datastores: NonNullable<EnvironmentSpec['cluster']['nodes'][number]['datastores']>): EnvironmentSpec {
  const spec = smallSpec();
  return { ...spec, cluster: { ...spec.cluster, nodes: spec.cluster.nodes.map((n) => (n.name === 'pve-a' ? { ...n, datastores } : n)) } };
}

/**
 * proxmox-host-storage.yml against a throwaway Debian root standing in for node `pve-a`, whose
 * `pvesh` and `pvesm` are a stand-in that keeps the storage configuration in a file and logs every
 * call. The installer's storages are there, `local` additionally holding `rootdir` (set by hand on
 * this node) to prove that types already present are kept.
 */
describeWithTools(
  'proxmox-host-storage.yml against a throwaway root with a pvesh/pvesm stand-in',
  tools,
  () => {
    const scratch = scratchDir('pvestack-storagepb-');
    let host: ThrowawayRoot;
    const inventoryOf = (spec: EnvironmentSpec) => writeSpecAndInventory(spec, fs.mkdtempSync(path.join(scratch.dir, 'inv-'))).inventoryFile;
    const run = (inventory: string) =>
      runAnsible('ansible-playbook', ['-i', inventory, path.join(PLAYBOOKS, 'proxmox-host-storage.yml'), '--limit', 'pve-a', ...chrootVars(host.root)]);
    const state = () => JSON.parse(host.read('var/lib/pve-standin/storage.json')) as { storage: string; content: string }[];
    const calls = () => host.read('pve-calls.log').trim().split('\n');
    const declared = specWith([
      { id: 'local-lvm', type: 'lvmthin' },
      { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets', 'import'] },
    ]);

    beforeAll(() => {
      host = throwawayRoot();
      for (const tool of ['pvesh', 'pvesm']) fs.copyFileSync(STANDIN, path.join(host.root, 'usr/local/sbin', tool));
      for (const tool of ['pvesh', 'pvesm']) fs.chmodSync(path.join(host.root, 'usr/local/sbin', tool), 0o755);
      fs.mkdirSync(path.join(host.root, 'var/lib/pve-standin'), { recursive: true });
      fs.writeFileSync(
        path.join(host.root, 'var/lib/pve-standin/storage.json'),
        JSON.stringify([
          { storage: 'local', type: 'dir', path: '/var/lib/vz', content: 'vztmpl,iso,backup,rootdir', digest: 'x' },
          { storage: 'local-lvm', type: 'lvmthin', thinpool: 'data', vgname: 'pve', content: 'rootdir,images', digest: 'x' },
        ]),
      );
    }, 900_000);
    afterAll(() => {
      host?.destroy();
      scratch.cleanup();
    });

    it('adds snippets and import to local with one pvesm set, keeping every type it had', () => {
      const r = run(inventoryOf(declared));
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-a')).toMatchObject({ changed: 1, failed: 0 });
      expect(calls()).toEqual(['pvesh get /storage --output-format json', 'pvesm set local --content vztmpl,iso,backup,rootdir,snippets,import']);
      expect(state().map((s) => [s.storage, s.content])).toEqual([
        ['local', 'vztmpl,iso,backup,rootdir,snippets,import'],
        ['local-lvm', 'rootdir,images'],
      ]);
    }, 300_000);

    it('a second run reads the configuration and changes nothing', () => {
      const r = run(inventoryOf(declared));
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-a')).toMatchObject({ changed: 0, failed: 0 });
      expect(calls().slice(2)).toEqual(['pvesh get /storage --output-format json']);
    }, 300_000);

    it('fails before changing anything when a declared storage does not exist on the node', () => {
      const before = calls().length;
      const r = run(
        inventoryOf(
          specWith([
            { id: 'local-lvm', type: 'lvmthin' },
            { id: 'templates', type: 'nfs', content: ['vztmpl'] },
          ]),
        ),
      );
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(
        'storage templates is declared for node pve-a in the spec but does not exist: create it on the host (pvesm add ...) or remove it from the spec.',
      );
      expect(calls().slice(before)).toEqual(['pvesh get /storage --output-format json']);
    }, 300_000);
  },
  { root: true },
);
