/**
 * `pvestack import` and `pvestack discover` as a user runs them: the real CLI in a subprocess
 * against the loopback Proxmox stand-in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labClusterRoutes } from '../../fixtures/pve/lab-cluster';
import { pvestackAsync as pvestack } from '../../support/cli';
import { startFakePve, type FakePve } from '../../support/pve-api';
import { describeWithTools } from '../../support/tools';

const SPEC = path.join('test', 'fixtures', 'specs', 'live.yaml');

describeWithTools('pvestack import and discover (subprocess)', ['openssl'], () => {
  let pve: FakePve;
  let dir: string;
  beforeAll(async () => {
    pve = await startFakePve({ routes: labClusterRoutes() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-import-cli-'));
  });
  afterAll(async () => {
    await pve?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the fragment on stdout and what it adopts or skips on stderr', async () => {
    const r = await pvestack(['import', SPEC, '--vmid', '101'], pve.env());
    expect(r.code).toBe(0);
    const fragment = parse(r.stdout) as { guests: { name: string; adopt: boolean }[] };
    expect(fragment.guests.map((g) => [g.name, g.adopt])).toEqual([['portainer', true]]);
    expect(r.stdout).toContain('# portainer: container 101 on pve1, adopted');
    expect(r.stderr).toContain('adopt pve1/101 (lxc portainer) as portainer; the first apply changes features, tags, description, startup.order, firewall');
  });

  it('--write merges into a copy of the spec, which check then passes', async () => {
    const out = path.join(dir, 'live.yaml');
    const r = await pvestack(['import', SPEC, '--write', out, '--json'], pve.env());
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.guests.map((g: { importId: string }) => g.importId)).toEqual(['pve1/100', 'pve1/101', 'pve1/102']);
    expect(body.written).toBe(out);
    const check = await pvestack(['check', out], {});
    expect(check.code).toBe(0);
  });

  it('refuses --write for an environment that is not a YAML file', async () => {
    const r = await pvestack(['import', 'production', '--write', path.join(dir, 'x.yaml')], pve.env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--write needs a YAML spec, but production comes from stacks/production.ts');
  });

  it('discover prints the node fragment', async () => {
    const r = await pvestack(['discover', '--node', 'pve1'], pve.env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('- name: pve1\n  cpuThreads: 32');
    const missing = await pvestack(['discover', '--node', 'pve9'], pve.env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('node "pve9" is not a member of the cluster. Members: pve1.');
  });

  it('sent nothing but GET requests', () => {
    expect([...new Set(pve.requests.map((r) => r.method))]).toEqual(['GET']);
  });
});
