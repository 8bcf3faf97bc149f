import { describe, expect, it } from 'vitest';
import type { SynthesizedOutput } from '../../../checks';
import { DATA_SAFETY_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

const synthesizedDb = (attrs: Record<string, unknown>): SynthesizedOutput => ({
  dir: 'out',
  terraform: { resource: { proxmox_virtual_environment_vm: { db_1: { name: 'db', vm_id: 103, ...attrs } } } },
  files: [],
});

describe('data-safety rules', () => {
  it('the base fixture has no data-safety findings', () => {
    const e = env();
    for (const rule of DATA_SAFETY_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, string, (s: Draft) => void, string, string]>([
    [
      'PostgreSQL without backup',
      'PVE-DATA-002',
      (s) => delete s.guests[2].stacks[0].backup,
      'guests[2].stacks[0]',
      'db runs PostgreSQL (database app) without backup',
    ],
    [
      'backups on a disk of the same guest',
      'PVE-DATA-003',
      (s) => {
        s.guests[2].disks.push({ name: 'dumps', sizeGib: 100, datastore: 'tank', mountPoint: '/backup' });
        s.guests[2].stacks[0].backup.mountPoint = '/backup';
      },
      'guests[2].stacks[0].backup.mountPoint',
      'db writes PostgreSQL backups to /backup, its own disk dumps on tank',
    ],
    [
      'stateful data on a plain datastore',
      'PVE-DATA-004',
      (s) => (s.guests[2].disks[1].datastore = 'local-lvm'),
      'guests[2].disks[1]',
      "stateful db's disk pgdata (500 GiB at /var/lib/postgresql) is on local-lvm, a lvmthin datastore not marked redundant",
    ],
    [
      'stateful data on a ZFS stripe',
      'PVE-DATA-004',
      (s) => {
        s.zfsPools.push({ name: 'fast', node: 'pve1', layout: 'stripe', disks: ['/dev/disk/by-id/c'], diskSizeGib: 1000 });
        s.guests[3].disks[1].datastore = 'fast';
      },
      'guests[3].disks[1]',
      "stateful llm's disk models (200 GiB at /srv/models) is on fast, a ZFS stripe of 1 disk, which survives no disk failure",
    ],
  ])('%s → %s', (_name, rule, edit, path, text) => {
    const found = findings(env(edit), rule);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(path);
    expect(found[0]!.message).toContain(text);
  });

  it('a datastore marked redundant (hardware RAID) is fine', () => {
    const e = env((s) => {
      s.cluster.nodes[0].datastores[0].redundant = true;
      s.guests[2].disks[1].datastore = 'local-lvm';
    });
    expect(findings(e, 'PVE-DATA-004')).toEqual([]);
  });

  it('non-stateful guests may keep PostgreSQL without backup (a dev database)', () => {
    expect(
      findings(
        env((s) => ((s.guests[2].stateful = false), delete s.guests[2].stacks[0].backup)),
        'PVE-DATA-002',
      ),
    ).toEqual([]);
  });

  it.each([
    [{ protection: true, lifecycle: { prevent_destroy: true } }, undefined],
    [{ lifecycle: { prevent_destroy: true } }, 'without protection = true'],
    [{ protection: true }, 'without lifecycle.prevent_destroy = true'],
  ])('synthesized stateful VM %j (PVE-DATA-001)', (attrs, problem) => {
    const found = findings(env(), 'PVE-DATA-001', { synthesized: synthesizedDb(attrs) });
    if (!problem) expect(found).toEqual([]);
    else {
      expect(found.map((f) => f.path)).toEqual(['guests[2]']);
      expect(found[0]!.message).toContain(`stateful vm db is synthesized ${problem}`);
    }
  });
});
