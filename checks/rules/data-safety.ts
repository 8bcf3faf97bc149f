/**
 * Data safety for stateful guests (`guest.stateful`, default for roles db and llm): protected
 * from deletion, backed up, and on storage that survives a disk failure, unless a suppression
 * with a reason says otherwise.
 */
import { datastoreOf, type Environment, type Guest } from '../../model';
import type { Issue, Rule } from '../types';
import { MONITORING_COVERAGE_RULES } from './monitoring-coverage';

const stateful = (env: Environment) => env.guests.filter((g) => g.stateful && g.kind !== 'external');

const RESOURCE_TYPES = { vm: 'proxmox_virtual_environment_vm', lxc: 'proxmox_virtual_environment_container' } as const;

/** The synthesized resource of a guest: matched by VM id, else by name / host name. */
function resourceOf(resources: Readonly<Record<string, Record<string, unknown>>>, guest: Guest): Record<string, unknown> | undefined {
  return Object.values(resources).find((r) => {
    if (guest.vmId !== undefined && r['vm_id'] === guest.vmId) return true;
    const init = r['initialization'] as { hostname?: unknown } | undefined;
    return r['name'] === guest.name || init?.hostname === guest.name;
  });
}

export const statefulProtected: Rule = {
  id: 'PVE-DATA-001',
  family: 'data-safety',
  severity: 'error',
  title: 'Stateful guests are synthesized with protection and lifecycle.prevent_destroy',
  check: ({ env, synthesized }) => {
    // Without synthesized output we trust the constructs, which set both for stateful guests.
    const all = synthesized?.terraform?.resource;
    if (!all) return [];
    return stateful(env).flatMap((g): Issue[] => {
      const type = RESOURCE_TYPES[g.kind as 'vm' | 'lxc'];
      const r = all[type] ? resourceOf(all[type]!, g) : undefined;
      if (!r) return [];
      const missing = [
        r['protection'] === true ? undefined : 'protection = true',
        (r['lifecycle'] as { prevent_destroy?: unknown } | undefined)?.prevent_destroy === true ? undefined : 'lifecycle.prevent_destroy = true',
      ].filter((x): x is string => x !== undefined);
      if (missing.length === 0) return [];
      return [
        {
          path: `guests[${g.index}]`,
          guest: g.name,
          message: `stateful ${g.kind} ${g.name} is synthesized without ${missing.join(' and ')} (${type})`,
          hint: 'A stateful guest must not be deletable by a plan or a click; synthesize it with the pvestack guest constructs, which set both when stateful is true.',
        },
      ];
    });
  },
};

export const postgresBackedUp: Rule = {
  id: 'PVE-DATA-002',
  family: 'data-safety',
  severity: 'error',
  title: 'PostgreSQL on a stateful guest has a backup target (nightly pg_dump and WAL archive)',
  check: ({ env }) =>
    stateful(env).flatMap((g) =>
      g.stacks.flatMap((s, j): Issue[] =>
        s.kind === 'postgres' && !s.backup
          ? [
              {
                path: `guests[${g.index}].stacks[${j}]`,
                guest: g.name,
                message: `${g.name} runs PostgreSQL (database ${s.database}) without backup: no nightly pg_dump and no WAL archive`,
                hint: `Mount a Storage Box on ${g.name} (storageBoxMounts) and set backup: { mountPoint: '/mnt/storagebox', retentionDays: 30 }.`,
              },
            ]
          : [],
      ),
    ),
};

export const backupOffGuest: Rule = {
  id: 'PVE-DATA-003',
  family: 'data-safety',
  severity: 'warning',
  title: 'Database backups leave the guest (Storage Box), not a disk of the same guest',
  check: ({ env }) =>
    env.guests.flatMap((g) =>
      g.stacks.flatMap((s, j): Issue[] => {
        if (s.kind !== 'postgres' || !s.backup) return [];
        if (g.storageBoxMounts.some((m) => m.mountPoint === s.backup!.mountPoint)) return [];
        const disk = g.disks.find((d) => d.mountPoint === s.backup!.mountPoint);
        return [
          {
            path: `guests[${g.index}].stacks[${j}].backup.mountPoint`,
            guest: g.name,
            message: `${g.name} writes PostgreSQL backups to ${s.backup.mountPoint}${disk ? `, its own disk ${disk.name} on ${disk.datastore}` : ''}: they are lost with the guest or its node`,
            hint: 'Point backup.mountPoint at a Storage Box mount (off-site), or suppress PVE-DATA-003 with how the disk is replicated elsewhere.',
          },
        ];
      }),
    ),
};

export const statefulOnRedundantStorage: Rule = {
  id: 'PVE-DATA-004',
  family: 'data-safety',
  severity: 'error',
  title: 'Stateful data disks are on redundant storage (mirror, RAID-10, raidz), not a stripe or single disk',
  check: ({ env }) =>
    stateful(env).flatMap((g) => {
      // The data disks hold the state; a guest with only a boot disk keeps it there.
      const dataDisks = g.disks.length > 1 ? g.disks.slice(1) : g.disks;
      return dataDisks.flatMap((d): Issue[] => {
        const store = datastoreOf(env, g, d.datastore);
        if (!store || store.redundant) return [];
        const pool = env.zfsPools.find((p) => p.node === g.node && p.storageId === store.id);
        const what = pool
          ? `ZFS ${pool.layout} of ${pool.disks.length} disk${pool.disks.length === 1 ? '' : 's'}, which survives no disk failure`
          : `${store.type} datastore not marked redundant`;
        return [
          {
            path: `guests[${g.index}].disks[${g.disks.indexOf(d)}]`,
            guest: g.name,
            message: `stateful ${g.name}'s disk ${d.name} (${d.sizeGib} GiB${d.mountPoint ? ` at ${d.mountPoint}` : ''}) is on ${store.id}, a ${what}`,
            hint: 'Move the disk to a redundant datastore, mark the datastore redundant: true if the hardware is RAID, or suppress PVE-DATA-004 on the guest with why losing it is acceptable.',
          },
        ];
      });
    }),
};

export const DATA_SAFETY_RULES: readonly Rule[] = [
  statefulProtected,
  postgresBackedUp,
  backupOffGuest,
  statefulOnRedundantStorage,
  ...MONITORING_COVERAGE_RULES,
];
