/**
 * `discover` against the loopback Proxmox stand-in: the fragment it prints for the lab node, and
 * the round trip — pasted into a spec, it validates and doctor finds nothing to say about the node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ProxmoxClient } from '../../cluster/client';
import { connectionConfigFrom } from '../../cluster/config';
import { discoverNode, discoveryJson, renderNodeFragment } from '../../cluster/discover';
import { doctor } from '../../cluster/doctor';
import { parseEnvironmentYaml, UsageError } from '../../model';
import { labClusterRoutes } from '../fixtures/pve/lab-cluster';
import { startFakePve, type FakePve } from '../support/pve-api';
import { describeWithTools } from '../support/tools';

const LIVE_SPEC = path.join(__dirname, '..', 'fixtures', 'specs', 'live.yaml');

describeWithTools('pvestack discover against a loopback Proxmox API', ['openssl'], () => {
  let pve: FakePve;
  let client: ProxmoxClient;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
    client = new ProxmoxClient(connectionConfigFrom(pve.env()));
  });
  afterAll(async () => {
    client?.close();
    await pve?.stop();
  });

  it('prints the node as a spec fragment with comments on what the numbers are', async () => {
    expect(renderNodeFragment(await discoverNode(client, 'pve1'))).toBe(
      [
        '# Node pve1 as the Proxmox API reports it (Proxmox VE 8.4.1); paste under cluster.nodes.',
        '- name: pve1',
        '  cpuThreads: 32 # 1 × AMD EPYC 7313P 16-Core Processor, 16 cores',
        '  memoryGib: 126 # MemTotal 125.8 GiB: the installed RAM less what firmware and kernel keep',
        '  gpus:',
        '    - name: l40s # the existing PCI mapping l40s: adopted, not created',
        '      pciAddress: 0000:01:00.0',
        '      model: NVIDIA L40S',
        '      vramGib: 48',
        '      deviceId: 10de:26b9',
        '      subsystemId: 10de:1851',
        '      iommuGroup: 14',
        '      allFunctions: true # 0000:01:00.1 shares IOMMU group 14',
        '      adopt: true',
        '  datastores:',
        '    - id: local',
        '      type: dir',
        '      content: [vztmpl, iso, backup, snippets, import]',
        '      capacityGib: 93 # 77 GiB free now',
        '    - id: local-lvm',
        '      type: lvmthin',
        '      content: [images, rootdir]',
        '      capacityGib: 1800 # 1200 GiB free now',
        '    - id: tank',
        '      type: zfspool',
        '      content: [images, rootdir]',
        '      capacityGib: 3600 # 3100 GiB free now',
        '# ZFS pools on pve1; they exist already, so keep them as zfspool datastores above, not under zfsPools (the apply would create them again):',
        '#   tank: 3600 GiB, 3100 GiB free, ONLINE, fragmentation 2 %',
        '',
      ].join('\n'),
    );
  });

  it('round trip: the pasted fragment validates and doctor finds nothing about the node', async () => {
    const fragment = parse(renderNodeFragment(await discoverNode(client, 'pve1'))) as unknown[];
    const spec = parse(fs.readFileSync(LIVE_SPEC, 'utf8')) as Record<string, any>;
    spec.cluster.nodes = fragment;
    const env = parseEnvironmentYaml(stringify(spec), 'discovered.yaml');
    expect(env.cluster.nodes[0]!.gpus[0]).toMatchObject({ name: 'l40s', iommuGroup: 14, subsystemId: '10de:1851', allFunctions: true, adopt: true });
    expect((await doctor(env, { variables: pve.env() })).findings).toEqual([]);
  });

  it('names a new GPU after its node, leaves unknown VRAM to the user, and gives JSON', async () => {
    pve.route('/cluster/mapping/pci', []);
    pve.route(
      '/nodes/pve1/hardware/pci',
      (labClusterRoutes()['/nodes/pve1/hardware/pci'] as Record<string, unknown>[]).map((d) =>
        d.id === '0000:01:00.0' ? { ...d, device: '0x2bb1', device_name: 'GB202GL [RTX PRO 6000 Blackwell]' } : d,
      ),
    );
    try {
      const found = await discoverNode(client, 'pve1');
      const text = renderNodeFragment(found);
      expect(text).toContain('    - name: gpu-pve1-0\n');
      expect(text).toContain('      model: NVIDIA RTX PRO 6000 Blackwell\n');
      expect(text).toContain("      # vramGib: required, not known for 10de:2bb1: the card's memory in GiB");
      expect(text).not.toContain('adopt');
      expect(discoveryJson(found)).toMatchObject({
        node: 'pve1',
        cpuThreads: 32,
        memoryGib: 125.8,
        gpus: [{ name: 'gpu-pve1-0', deviceId: '10de:2bb1', iommuGroup: 14 }],
      });
    } finally {
      pve.route('/cluster/mapping/pci', labClusterRoutes()['/cluster/mapping/pci']);
      pve.route('/nodes/pve1/hardware/pci', labClusterRoutes()['/nodes/pve1/hardware/pci']);
    }
  });

  it('says which nodes exist when the name is wrong', async () => {
    await expect(discoverNode(client, 'pve7')).rejects.toThrow(UsageError);
    await expect(discoverNode(client, 'pve7')).rejects.toThrow('node "pve7" is not a member of the cluster. Members: pve1.');
  });
});
