/**
 * `pvestack doctor` as a user runs it: the real CLI in a subprocess against the loopback Proxmox
 * stand-in, checking exit codes, the `--json` document (the check report's shape) and that the
 * token secret appears in no output.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { labClusterRoutes } from '../../fixtures/pve/lab-cluster';
import { startFakePve, TEST_TOKEN, type FakePve } from '../../support/pve-api';
import { pvestackAsync } from '../../support/cli';
import { describeWithTools } from '../../support/tools';

const SPEC = path.join('test', 'fixtures', 'specs', 'live.yaml');
const SECRET = TEST_TOKEN.split('=')[1]!;
const pvestack = pvestackAsync;

describeWithTools('pvestack doctor (subprocess)', ['openssl'], () => {
  let pve: FakePve;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
  });
  afterAll(async () => pve?.stop());

  it('exits 0 on the matching cluster and prints the check report document', async () => {
    const r = await pvestack(['doctor', SPEC, '--json'], pve.env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      version: 1,
      ok: true,
      environments: [{ environment: 'live', source: SPEC, ok: true, counts: { error: 0, warning: 0, info: 0, suppressed: 0 }, findings: [] }],
    });
  });

  it('exits 1 with the finding and its fix when the cluster differs', async () => {
    pve.route('/nodes/pve1/status', { ...(labClusterRoutes()['/nodes/pve1/status'] as object), cpuinfo: { model: 'EPYC', cpus: 24, cores: 12, sockets: 1 } });
    try {
      const text = await pvestack(['doctor', SPEC], pve.env());
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('PVE-LIVE-003  cluster.nodes[0].cpuThreads');
      expect(text.stdout).toContain('hint: Set cpuThreads: 24');
      expect(text.stdout).toContain('live: FAIL — 1 error, 0 warnings, 0 info, 0 suppressed');
      const json = await pvestack(['doctor', SPEC, '--json'], pve.env());
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).environments[0].findings.map((f: { rule: string }) => f.rule)).toEqual(['PVE-LIVE-003']);
    } finally {
      pve.route('/nodes/pve1/status', labClusterRoutes()['/nodes/pve1/status']);
    }
  });

  it('exits 2 on refused credentials and never prints the secret', async () => {
    const r = await pvestack(['doctor', SPEC], pve.env({ PROXMOX_VE_API_TOKEN: `pvestack@pve!doctor=${SECRET.replace(/^./, 'f')}` }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: GET /');
    expect(r.stderr).toContain('authentication failed (401');
    const ok = await pvestack(['doctor', SPEC, '--json'], pve.env());
    for (const out of [r.stdout, r.stderr, ok.stdout, ok.stderr]) expect(out).not.toContain(SECRET.slice(4));
  });

  it('exits 2 without an endpoint, saying which variable to set', async () => {
    const r = await pvestack(['doctor', SPEC, '--json'], {});
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: 'ConnectionConfig', what: 'PROXMOX_VE_ENDPOINT', problem: 'is not set' });
  });
});
