/**
 * `doctor` against the loopback Proxmox stand-in: the lab cluster matches the `live` spec, and
 * each mismatch (one changed API answer or spec value) fires its rule exactly once with the fix.
 * Transport failures surface as the client's typed errors.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../checks';
import { doctor, DOCTOR_RULES } from '../../cluster/doctor';
import { ApiAuthError, ApiPermissionError, ApiTlsError, ApiUnreachableError } from '../../cluster/errors';
import { loadEnvironmentFile, parseEnvironmentYaml, type Environment } from '../../model';
import { labClusterRoutes } from '../fixtures/pve/lab-cluster';
import { startFakePve, type FakePve, type Route } from '../support/pve-api';
import { describeWithTools } from '../support/tools';
import { hasTableRow } from '../support/markdown';
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';

const LIVE_SPEC = path.join(__dirname, '..', 'fixtures', 'specs', 'live.yaml');
const GiB = 1024 ** 3;
const noSleep = async (_ms: number): Promise<void> => {};

type Routes = Record<string, Route>;
type Json = Record<string, any>;

/** The live spec with one change applied to its parsed YAML. */
function liveSpec(change?: (spec: Json) => void): Environment {
  if (!change) return loadEnvironmentFile(LIVE_SPEC);
  const spec = parse(fs.readFileSync(LIVE_SPEC, 'utf8')) as Json;
  change(spec);
  return parseEnvironmentYaml(stringify(spec), LIVE_SPEC);
}

function mapList(routes: Routes, key: string, fn: (item: Json) => Json): void {
  routes[key] = (routes[key] as Json[]).map((item) => fn({ ...item }));
}

interface Case {
  readonly rule: string;
  /** Changes the cluster's answers. */
  readonly cluster?: (routes: Routes, pve: FakePve) => void;
  /** Changes the spec. */
  readonly spec?: (spec: Json) => void;
  readonly path: string;
  readonly message: string | RegExp;
  readonly hint: string | RegExp;
}

const CASES: Case[] = [
  {
    rule: 'PVE-LIVE-001',
    cluster: (r) => mapList(r, '/nodes', (n) => ({ ...n, node: 'pve9' })),
    path: 'cluster.nodes[0].name',
    message: 'node pve1 is not a member of the cluster (members: pve9)',
    hint: /pvesh get \/nodes/,
  },
  {
    rule: 'PVE-LIVE-002',
    cluster: (r) => void (r['/nodes/pve1/version'] = { version: '8.3.2', release: '8.3', repoid: '3e76eec2' }),
    path: 'cluster.minProxmoxVersion',
    message: /node pve1 runs Proxmox VE 8\.3\.2 .* older than the 8\.4 the environment needs/,
    hint: /Upgrade the node/,
  },
  {
    rule: 'PVE-LIVE-003',
    cluster: (r) =>
      void (r['/nodes/pve1/status'] = {
        ...(r['/nodes/pve1/status'] as Json),
        cpuinfo: { model: 'AMD EPYC 7313P 16-Core Processor', cpus: 16, cores: 16, sockets: 1 },
      }),
    path: 'cluster.nodes[0].cpuThreads',
    message: 'spec says 32 threads, node pve1 has 16 (1 × AMD EPYC 7313P 16-Core Processor, 16 cores)',
    hint: 'Set cpuThreads: 16',
  },
  {
    rule: 'PVE-LIVE-004',
    cluster: (r) => void (r['/nodes/pve1/status'] = { ...(r['/nodes/pve1/status'] as Json), memory: { total: 62.8 * GiB, used: 10 * GiB, free: 52.8 * GiB } }),
    path: 'cluster.nodes[0].memoryGib',
    message: 'spec says 128 GiB, node pve1 has 62.8 GiB (MemTotal)',
    hint: 'Set memoryGib: 63',
  },
  {
    // 128 GiB is 4.94 GiB off a MemTotal of 123.06 GiB, more than its 4 % (4.92 GiB); the rounded
    // 123.1 GiB would have hidden it (4.9 GiB off, 4 % of it 4.92).
    rule: 'PVE-LIVE-004',
    cluster: (r) =>
      void (r['/nodes/pve1/status'] = { ...(r['/nodes/pve1/status'] as Json), memory: { total: 123.06 * GiB, used: 10 * GiB, free: 113.06 * GiB } }),
    path: 'cluster.nodes[0].memoryGib',
    message: 'spec says 128 GiB, node pve1 has 123.1 GiB (MemTotal)',
    hint: 'Set memoryGib: 123',
  },
  {
    rule: 'PVE-LIVE-005',
    cluster: (r) => void (r['/nodes/pve1/hardware/pci'] = (r['/nodes/pve1/hardware/pci'] as Json[]).filter((d) => !d.id.startsWith('0000:01:'))),
    path: 'cluster.nodes[0].gpus[0].pciAddress',
    message: 'node pve1 has no PCI device 0000:01:00.0 (GPU l40s); display/3D controllers there: none',
    hint: /pvestack discover --node pve1/,
  },
  {
    rule: 'PVE-LIVE-006',
    cluster: (r) =>
      mapList(r, '/nodes/pve1/hardware/pci', (d) => (d.id === '0000:01:00.0' ? { ...d, device: '0x2684', device_name: 'AD102 [GeForce RTX 4090]' } : d)),
    path: 'cluster.nodes[0].gpus[0].deviceId',
    message: '0000:01:00.0 on pve1 is 10de:2684 (AD102 [GeForce RTX 4090]), the spec says 10de:26b9',
    hint: 'Set deviceId: "10de:2684"',
  },
  {
    rule: 'PVE-LIVE-007',
    cluster: (r) =>
      mapList(r, '/nodes/pve1/hardware/pci', (d) => (d.id === '0000:01:00.0' ? { ...d, subsystem_vendor: '0x1043', subsystem_device: '0x889c' } : d)),
    path: 'cluster.nodes[0].gpus[0].subsystemId',
    message: '0000:01:00.0 on pve1 has subsystem 1043:889c, the spec says 10de:1851',
    hint: /^Set subsystemId: "1043:889c": the mapping records it/,
  },
  {
    rule: 'PVE-LIVE-008',
    cluster: (r) => mapList(r, '/nodes/pve1/hardware/pci', (d) => (d.id.startsWith('0000:01:') ? { ...d, iommugroup: 16 } : d)),
    path: 'cluster.nodes[0].gpus[0].iommuGroup',
    message: '0000:01:00.0 on pve1 is in IOMMU group 16, the spec says 14',
    hint: /^Set iommuGroup: 16/,
  },
  {
    rule: 'PVE-LIVE-008',
    cluster: (r) => mapList(r, '/nodes/pve1/hardware/pci', (d) => ({ ...d, iommugroup: -1 })),
    path: 'cluster.nodes[0].gpus[0].iommuGroup',
    message: /is in no IOMMU group: the node runs without an IOMMU/,
    hint: /intel_iommu=on/,
  },
  {
    rule: 'PVE-LIVE-009',
    cluster: (r) => mapList(r, '/nodes/pve1/hardware/pci', (d) => (d.id === '0000:02:00.0' ? { ...d, iommugroup: 14 } : d)),
    path: 'cluster.nodes[0].gpus[0].pciAddress',
    message:
      'IOMMU group 14 of 0000:01:00.0 on pve1 also holds 0000:02:00.0 (Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO); a group is given to one guest as a whole',
    hint: /Move the card to a slot with its own group, or enable ACS/,
  },
  {
    rule: 'PVE-LIVE-009',
    spec: (s) => void (s.cluster.nodes[0].gpus[0].allFunctions = false),
    // The mapping passes function .0 only, as the spec now says, so only the neighbour is left.
    cluster: (r) => void (r['/cluster/mapping/pci'] = [{ id: 'l40s', map: ['node=pve1,path=0000:01:00.0,id=10de:26b9,subsystem-id=10de:1851,iommugroup=14'] }]),
    path: 'cluster.nodes[0].gpus[0].allFunctions',
    message: /also holds 0000:01:00\.1 \(NVIDIA Corporation AD102 High Definition Audio Controller\)/,
    hint: 'Set allFunctions: true so the mapping passes the whole card (its audio/USB functions share the group).',
  },
  {
    rule: 'PVE-LIVE-010',
    spec: (s) => void delete s.cluster.nodes[0].gpus[0].adopt,
    path: 'cluster.nodes[0].gpus[0].name',
    message:
      'the cluster already has a PCI mapping named l40s (node=pve1,path=0000:01:00,id=10de:26b9,subsystem-id=10de:1851,iommugroup=14); the apply would fail creating it',
    hint: /^Adopt it \(adopt: true on the GPU/,
  },
  {
    rule: 'PVE-LIVE-011',
    cluster: (r) => void (r['/cluster/mapping/pci'] = [{ id: 'l40s', map: ['node=pve1,path=0000:01:00,id=10de:26b9,subsystem-id=10de:1851,iommugroup=13'] }]),
    path: 'cluster.nodes[0].gpus[0]',
    message: 'adopting mapping l40s changes it on pve1: iommugroup 13 → 14',
    hint: /Make the spec match the mapping/,
  },
  {
    rule: 'PVE-LIVE-012',
    cluster: (r) =>
      void (r['/cluster/mapping/pci'] = [...(r['/cluster/mapping/pci'] as Json[]), { id: 'gpu-old', map: ['node=pve1,path=0000:01:00.0,id=10de:26b9'] }]),
    path: 'cluster.nodes[0].gpus[0]',
    message: 'mapping gpu-old already points at 0000:01:00 on pve1; a guest using it takes the card from this environment',
    hint: /delete the other mapping/,
  },
  {
    rule: 'PVE-LIVE-013',
    cluster: (r) => void (r['/nodes/pve1/storage'] = (r['/nodes/pve1/storage'] as Json[]).filter((s) => s.storage !== 'tank')),
    path: 'cluster.nodes[0].datastores[2]',
    message: 'node pve1 has no storage tank (used for disks of db); it has local, local-lvm',
    hint: /pvesm add/,
  },
  {
    rule: 'PVE-LIVE-014',
    cluster: (r) => mapList(r, '/nodes/pve1/storage', (s) => (s.storage === 'local' ? { ...s, content: 'backup,iso,vztmpl' } : s)),
    path: 'cluster.nodes[0].datastores[1].content',
    message:
      'storage local on pve1 holds backup, iso, vztmpl, but snippets is needed for cloud-init snippets of db; import is needed for the cloud image of db',
    hint: "Add the content types, keeping the others: `pvesm set local --content backup,iso,vztmpl,snippets,import` (the host playbook proxmox-host-storage does it), and list them in the datastore's content.",
  },
  {
    rule: 'PVE-LIVE-015',
    cluster: (r) => mapList(r, '/nodes/pve1/storage', (s) => (s.storage === 'local-lvm' ? { ...s, avail: 30 * GiB } : s)),
    path: 'cluster.nodes[0].datastores[0]',
    message: 'new disks on local-lvm (pve1) claim 40 GiB, it has 30 GiB free of 1800 GiB',
    hint: /Free space on it/,
  },
  {
    // 39.96 GiB rounds to 40.0 but does not hold 40 GiB of new disks: compared in bytes, shown rounded down.
    rule: 'PVE-LIVE-015',
    cluster: (r) => mapList(r, '/nodes/pve1/storage', (s) => (s.storage === 'local-lvm' ? { ...s, avail: 39.96 * GiB } : s)),
    path: 'cluster.nodes[0].datastores[0]',
    message: 'new disks on local-lvm (pve1) claim 40 GiB, it has 39.9 GiB free of 1800 GiB',
    hint: /Free space on it/,
  },
  {
    rule: 'PVE-LIVE-016',
    spec: (s) => {
      s.cluster.nodes[0].datastores = s.cluster.nodes[0].datastores.filter((d: Json) => d.id !== 'tank');
      s.zfsPools = [{ name: 'tank', node: 'pve1', layout: 'mirror', disks: ['/dev/disk/by-id/nvme-a', '/dev/disk/by-id/nvme-b'], diskSizeGib: 3600 }];
    },
    path: 'zfsPools[0]',
    message: 'pool tank already exists on pve1 (3600 GiB, ONLINE); the apply would try to create it again on /dev/disk/by-id/nvme-a, /dev/disk/by-id/nvme-b',
    hint: /Declare it as a datastore of the node instead/,
  },
  {
    rule: 'PVE-LIVE-017',
    cluster: (r, pve) => {
      r['/nodes/pve1/storage/local/content'] = [
        { volid: 'local:import/ubuntu-24.04-server-cloudimg-amd64-20260705.qcow2', format: 'qcow2', size: 618135552, content: 'import' },
      ];
      pve.fault('/nodes/pve1/query-url-metadata', { status: 500, reason: "invalid server response: '404 Not Found'" });
    },
    path: 'guests[2].lxc.templateUrl',
    message:
      "template local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst is not on pve1, and the node cannot download http://download.proxmox.com/images/system/ubuntu-24.04-standard_24.04-2_amd64.tar.zst: the API failed (500 invalid server response: '404 Not Found')",
    hint: /Fix the URL/,
  },
  {
    rule: 'PVE-LIVE-018',
    cluster: (_r, pve) => pve.fault('/nodes/pve1/query-url-metadata', { status: 500, reason: "invalid server response: '404 Not Found'" }),
    path: 'guests[1].vm.imageUrl',
    message:
      /^cloud image local:import\/ubuntu-24\.04-server-cloudimg-amd64-20260705\.qcow2 is not on pve1, and the node cannot download https:\/\/cloud-images\.ubuntu\.com/,
    hint: /HTTP proxy/,
  },
  {
    rule: 'PVE-LIVE-019',
    cluster: (r) =>
      void (r['/cluster/resources'] = [
        ...(r['/cluster/resources'] as Json[]),
        { id: 'qemu/211', type: 'qemu', vmid: 211, name: 'legacy-db', node: 'pve1', status: 'stopped', tags: 'finance' },
      ]),
    path: 'guests[1].vmId',
    message: 'id 211 is taken by VM legacy-db on pve1 (tags finance), which this environment does not own',
    hint: 'Give db a free id (e.g. 200), or, if that guest is the one meant, adopt it with `pvestack import live --vmid 211`.',
  },
  {
    rule: 'PVE-LIVE-020',
    cluster: (r) =>
      void (r['/access/permissions'] = { '/': Object.fromEntries(Object.entries((r['/access/permissions'] as Json)['/']).filter(([p]) => p !== 'SDN.Use')) }),
    path: 'cluster.providerAuth',
    message: 'the credentials lack SDN.Use on /sdn/zones/localnetwork/vmbr0, needed for NICs on bridge vmbr0',
    hint: /pveum acl modify \/sdn\/zones\/localnetwork\/vmbr0/,
  },
  {
    rule: 'PVE-LIVE-021',
    cluster: (r) => void (r['/cluster/firewall/options'] = { enable: 0, policy_in: 'DROP' }),
    path: 'admin.cidrs',
    message: /^the datacenter firewall is disabled now; the apply enables it/,
    hint: /allowed from the admin networks \(192\.168\.99\.0\/24\)/,
  },
];

describeWithTools('pvestack doctor against a loopback Proxmox API', ['openssl'], () => {
  let pve: FakePve;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
  });
  afterAll(async () => pve?.stop());

  /** Resets the server to the lab cluster, applies a change, runs doctor. */
  async function run(opts: { cluster?: Case['cluster']; spec?: Case['spec']; variables?: Record<string, string> } = {}): Promise<CheckReport> {
    const routes = labClusterRoutes();
    opts.cluster?.(routes, pve);
    for (const [p, data] of Object.entries(routes)) pve.route(p, data);
    try {
      return await doctor(liveSpec(opts.spec), { variables: opts.variables ?? pve.env(), sleep: noSleep });
    } finally {
      pve.fault('/nodes/pve1/query-url-metadata', { status: 200, reason: 'OK', times: 0 });
    }
  }

  it('passes the matching cluster with no finding at all', async () => {
    const report = await run();
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('has a case for every rule', () => {
    expect(new Set(CASES.map((c) => c.rule))).toEqual(new Set(DOCTOR_RULES.map((r) => r.id)));
  });

  it.each(CASES.map((c, i) => [`${c.rule} #${i}`, c] as const))('%s fires once, with the fix', async (_name, c) => {
    const report = await run(c);
    expect(report.findings.map((f) => f.rule)).toEqual([c.rule]);
    const f = report.findings[0]!;
    expect(f.path).toBe(c.path);
    if (typeof c.message === 'string') expect(f.message).toBe(c.message);
    else expect(f.message).toMatch(c.message);
    if (typeof c.hint === 'string') expect(f.hint).toContain(c.hint);
    else expect(f.hint).toMatch(c.hint);
    expect(report.ok).toBe(f.severity !== 'error');
  });

  it('survives a 502 that succeeds on retry', async () => {
    const report = await run({ cluster: (_r, p) => p.fault('/cluster/resources', { status: 502, reason: 'Bad Gateway', times: 1 }) });
    expect(report.findings).toEqual([]);
  });

  it('stops on 401 with the credentials error, naming the token id but not the secret', async () => {
    const secret = 'deadbeef-0000-4000-8000-000000000000';
    const err = await run({ variables: pve.env({ PROXMOX_VE_API_TOKEN: `pvestack@pve!doctor=${secret}` }) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ApiAuthError);
    expect(String((err as Error).message)).toContain('pvestack@pve!doctor');
    expect(String((err as Error).message)).not.toContain(secret);
  });

  it('stops on 403 naming the missing privilege and path', async () => {
    const err = await run({
      cluster: (_r, p) => p.fault('/nodes/pve1/status', { status: 403, reason: 'Permission check failed (/nodes/pve1, Sys.Audit)', times: 1 }),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ApiPermissionError);
    expect((err as Error).message).toContain('lack Sys.Audit on /nodes/pve1');
  });

  it('stops on a timeout', async () => {
    const err = await run({
      variables: pve.env({ PROXMOX_VE_TIMEOUT: '0.3' }),
      cluster: (_r, p) => p.fault('/cluster/firewall/options', { status: 200, reason: 'OK', delayMs: 1200, times: 1 }),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect((err as Error).message).toContain('no answer from');
  });

  it('refuses the self-signed certificate without PROXMOX_VE_CA_FILE or PROXMOX_VE_INSECURE', async () => {
    const variables = pve.env();
    delete variables.PROXMOX_VE_CA_FILE;
    expect(await run({ variables }).catch((e: Error) => e)).toBeInstanceOf(ApiTlsError);
    expect((await run({ variables: { ...variables, PROXMOX_VE_INSECURE: 'true' } })).ok).toBe(true);
  });

  it('sent nothing but GET requests', () => {
    expect(pve.requests.length).toBeGreaterThan(100);
    expect([...new Set(pve.requests.map((r) => r.method))]).toEqual(['GET']);
  });
});

describe('cluster/README.md', () => {
  it('documents every doctor rule with its severity and title', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'cluster', 'README.md'), 'utf8');
    for (const r of DOCTOR_RULES) expect(hasTableRow(readme, r.id, r.severity, r.title), `${r.id} | ${r.severity} | ${r.title}`).toBe(true);
  });
});
