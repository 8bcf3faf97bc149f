/**
 * Adopted guests and GPU mappings synthesize into Terraform `import` blocks offline: with no
 * terraform (or tofu) binary on the PATH, as in a PR job that only runs `pvestack diff`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const ROOT = path.join(__dirname, '..', '..', '..');
const LIVE_SPEC = path.join(ROOT, 'test', 'fixtures', 'specs', 'live.yaml');

describe('adoption without a terraform binary', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-adopt-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('pvestack synth writes the import blocks with only node on the PATH', () => {
    const spec = parse(fs.readFileSync(LIVE_SPEC, 'utf8')) as Record<string, any>;
    spec.guests.push(
      {
        name: 'old-vm',
        kind: 'vm',
        role: 'app',
        node: 'pve1',
        vmId: 100,
        adopt: true,
        cores: 2,
        memoryGib: 2,
        ipv4: '192.168.10.70',
        disks: [{ sizeGib: 10, datastore: 'local-lvm' }],
      },
      {
        name: 'old-ct',
        kind: 'lxc',
        role: 'app',
        node: 'pve1',
        vmId: 101,
        adopt: true,
        cores: 1,
        memoryGib: 1,
        ipv4: '192.168.10.71',
        disks: [{ sizeGib: 8, datastore: 'local-lvm' }],
      },
    );
    const file = path.join(dir, 'live.yaml');
    fs.writeFileSync(file, stringify(spec));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pvestack.js'), 'synth', file, '-o', path.join(dir, 'out')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: bin, HOME: dir, CHECKPOINT_DISABLE: '1' },
      timeout: 120_000,
    });
    expect(r.stderr).not.toContain('terraform version');
    expect(r.status).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'live', 'cdk.tf.json'), 'utf8')) as { import: { id: string; to: string }[] };
    expect(json.import.map((i) => i.id).sort()).toEqual(['l40s', 'pve1/100', 'pve1/101']);
    expect(json.import.find((i) => i.id === 'pve1/101')!.to).toMatch(/^proxmox_virtual_environment_container\./);
  });
});
