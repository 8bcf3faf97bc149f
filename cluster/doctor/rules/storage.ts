/**
 * Storage: the datastores guests and downloads use exist on their node with the content types
 * and free space needed, ZFS pools are healthy or free to be created, and every LXC template and
 * cloud image is on the node already or downloadable by it.
 */
import type { Issue } from '../../../checks';
import { parseTemplateVolid, Size } from '../../../model';
import { imageUrlOf, imageVolumeOf } from '../../facts';
import { applyCreatesPool, datastoreNeeds, existsOnCluster } from '../needs';
import { gib, type DoctorContext, type DoctorRule } from '../types';

function needsOnLiveNodes(ctx: DoctorContext) {
  return datastoreNeeds(ctx.env, ctx.facts).flatMap((need) => {
    const live = ctx.facts.nodes[need.node.name];
    return live ? [{ need, live, status: live.storage.find((s) => s.storage === need.datastore) }] : [];
  });
}

export const datastoreExists: DoctorRule = {
  id: 'PVE-LIVE-013',
  family: 'live',
  severity: 'error',
  title: 'Every datastore the environment uses exists on its node, enabled and active',
  check: (ctx) =>
    needsOnLiveNodes(ctx).flatMap(({ need, live, status }): Issue[] => {
      const uses = [...need.content.values()].flat().join('; ');
      if (!status && need.createdByApply) return [];
      if (!status)
        return [
          {
            path: need.path,
            node: need.node.name,
            message: `node ${need.node.name} has no storage ${need.datastore} (used for ${uses}); it has ${live.storage.map((s) => s.storage).join(', ') || 'none'}`,
            hint: `Create it (Datacenter → Storage, or \`pvesm add\`) or point the spec at an existing storage; \`pvestack discover --node ${need.node.name}\` lists them.`,
          },
        ];
      if (status.enabled === 0 || status.active === 0)
        return [
          {
            path: need.path,
            node: need.node.name,
            message: `storage ${need.datastore} on ${need.node.name} is ${status.enabled === 0 ? 'disabled' : 'not active'} (used for ${uses})`,
            hint: `Enable it (\`pvesm set ${need.datastore} --disable 0\`) and check why it is not mounted or imported (\`pvesm status\`).`,
          },
        ];
      return [];
    }),
};

export const datastoreContent: DoctorRule = {
  id: 'PVE-LIVE-014',
  family: 'live',
  severity: 'error',
  title: 'Every datastore holds the content types its guests and downloads need',
  check: (ctx) =>
    needsOnLiveNodes(ctx).flatMap(({ need, status }): Issue[] => {
      if (!status) return [];
      const has = new Set(
        status.content
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      const missing = [...need.content.entries()].filter(([type]) => !has.has(type));
      if (missing.length === 0) return [];
      const all = [...has, ...missing.map(([t]) => t)].join(',');
      return [
        {
          path: `${need.path}${need.path.includes('datastores[') ? '.content' : ''}`,
          node: need.node.name,
          message: `storage ${need.datastore} on ${need.node.name} holds ${[...has].join(', ') || 'nothing'}, but ${missing.map(([t, why]) => `${t} is needed for ${why.join(', ')}`).join('; ')}`,
          hint: `Add the content types, keeping the others: \`pvesm set ${need.datastore} --content ${all}\` (the host playbook proxmox-host-storage does it), and list them in the datastore's content.`,
        },
      ];
    }),
};

export const datastoreSpace: DoctorRule = {
  id: 'PVE-LIVE-015',
  family: 'live',
  severity: 'error',
  title: 'Every datastore has the free space the disks still to be created need',
  check: (ctx) =>
    needsOnLiveNodes(ctx).flatMap(({ need, status }): Issue[] => {
      if (!status || status.avail === undefined || !need.newDisks.isPositive()) return [];
      // The exact free bytes, not a rounded GiB figure: 39.96 GiB free does not hold 40 GiB of disks.
      const free = Size.bytes(status.avail);
      if (need.newDisks.isAtMost(free)) return [];
      return [
        {
          path: need.path,
          node: need.node.name,
          // Free space rounded down, so the message never shows enough room where there is none.
          message: `new disks on ${need.datastore} (${need.node.name}) claim ${need.newDisks.toGib()} GiB, it has ${Math.floor(free.toGib() * 10) / 10} GiB free of ${gib(status.total ?? 0)} GiB`,
          hint:
            'Free space on it (old backups, unused disks: `pvesm list ' + need.datastore + '`), move some disks to another datastore, or make them smaller.',
        },
      ];
    }),
};

export const zfsPools: DoctorRule = {
  id: 'PVE-LIVE-016',
  family: 'live',
  severity: 'error',
  title: 'A spec ZFS pool is healthy on its node, or absent and created by the apply',
  check: ({ env, facts }) =>
    env.zfsPools.flatMap((pool, i): Issue[] => {
      const live = facts.nodes[pool.node];
      if (!live) return [];
      const found = live.zfs.find((z) => z.name === pool.name);
      const path = `zfsPools[${i}]`;
      if (!found && !applyCreatesPool(pool))
        return [
          {
            path,
            node: pool.node,
            message: `pool ${pool.name} does not exist on ${pool.node}, and the apply cannot create a ${pool.disks.length}-disk stripe`,
            hint: 'Create it with the host playbook (or `zpool create`) before the apply.',
          },
        ];
      if (!found) return [];
      if (found.health !== 'ONLINE')
        return [
          {
            path,
            node: pool.node,
            message: `pool ${pool.name} on ${pool.node} is ${found.health}`,
            hint: `Look at \`zpool status ${pool.name}\` and replace the failed disk before putting guests on it.`,
          },
        ];
      if (applyCreatesPool(pool))
        return [
          {
            path,
            node: pool.node,
            message: `pool ${pool.name} already exists on ${pool.node} (${gib(found.size)} GiB, ${found.health}); the apply would try to create it again on ${pool.disks.join(', ')}`,
            hint: `Declare it as a datastore of the node instead (id ${pool.storageId}, type zfspool) and remove it from zfsPools, or import it: \`terraform import\` of proxmox_node_disk_zfs.`,
          },
        ];
      return [];
    }),
};

function downloadIssue(ctx: DoctorContext, nodeName: string, volid: string, url: string, path: string, what: string): Issue[] {
  const live = ctx.facts.nodes[nodeName];
  if (!live) return [];
  const storage = volid.split(':')[0]!;
  if ((live.volumes[storage] ?? []).includes(volid)) return [];
  const check = live.downloads[url];
  if (!check || check.ok) return [];
  return [
    {
      path,
      node: nodeName,
      message: `${what} ${volid} is not on ${nodeName}, and the node cannot download ${url}: ${check.reason}`,
      hint: 'Fix the URL (a pinned, versioned file that exists), give the node a route or proxy to it (Datacenter → Options → HTTP proxy), or put the file on the storage by hand.',
    },
  ];
}

export const lxcTemplates: DoctorRule = {
  id: 'PVE-LIVE-017',
  family: 'live',
  severity: 'error',
  title: 'Every LXC template is on its node or downloadable from its templateUrl',
  check: (ctx) =>
    ctx.env.guests
      .filter((g) => g.kind === 'lxc' && g.lxc && g.node && !existsOnCluster(ctx.env, g, ctx.facts) && parseTemplateVolid(g.lxc.template))
      .flatMap((g) => downloadIssue(ctx, g.node!, g.lxc!.template, g.lxc!.templateUrl, `guests[${g.index}].lxc.templateUrl`, 'template')),
};

export const cloudImages: DoctorRule = {
  id: 'PVE-LIVE-018',
  family: 'live',
  severity: 'error',
  title: 'Every cloud image is on its node or downloadable from its imageUrl',
  check: (ctx) =>
    ctx.env.guests
      .filter((g) => g.kind === 'vm' && g.node && !existsOnCluster(ctx.env, g, ctx.facts))
      .flatMap((g) => downloadIssue(ctx, g.node!, imageVolumeOf(ctx.env, g).volid, imageUrlOf(g), `guests[${g.index}].vm.imageUrl`, 'cloud image')),
};

export const STORAGE_RULES: readonly DoctorRule[] = [datastoreExists, datastoreContent, datastoreSpace, zfsPools, lxcTemplates, cloudImages];
