/**
 * VM ids: a guest's id is free, or the guest there belongs to this environment (the tags the
 * constructs write, `constructs/private/tags.ts`: `pvestack` and `env-<env>`), or the spec adopts
 * it. A guest of another team at that id would make the apply fail (or, worse, be adopted by
 * mistake), so it is an error that names it.
 */
import type { Issue } from '../../../checks';
import type { Environment, Guest } from '../../../model';
import type { ClusterResource } from '../../api';
import type { DoctorRule } from '../types';

/** Tags of a cluster guest (`a;b` → ['a', 'b']). */
export function tagsOf(resource: ClusterResource): string[] {
  return (resource.tags ?? '').split(/[;,\s]+/).filter(Boolean);
}

/** Whether a guest on the cluster was created by this environment. */
export function ownedBy(env: Environment, resource: ClusterResource): boolean {
  const tags = tagsOf(resource);
  return tags.includes('pvestack') && tags.includes(`env-${env.name}`);
}

const KIND: Record<string, Guest['kind']> = { qemu: 'vm', lxc: 'lxc' };

function describe(r: ClusterResource): string {
  const tags = tagsOf(r);
  return `${r.type === 'qemu' ? 'VM' : 'container'} ${r.name ?? '(no name)'} on ${r.node}${tags.length ? ` (tags ${tags.join(', ')})` : ' (no tags)'}`;
}

/** The lowest id in the range that neither the cluster nor the spec uses. */
export function nextFreeId(env: Environment, taken: readonly ClusterResource[]): number | undefined {
  const used = new Set([...taken.map((r) => r.vmid), ...env.guests.map((g) => g.vmId)]);
  for (let id = env.cluster.vmIdRange.from; id <= env.cluster.vmIdRange.to; id++) if (!used.has(id)) return id;
  return undefined;
}

export const vmIds: DoctorRule = {
  id: 'PVE-LIVE-019',
  family: 'live',
  severity: 'error',
  title: "A guest's VM id is free, owned by this environment (tags pvestack, env-<env>), or adopted",
  check: ({ env, facts }) =>
    env.guests
      .filter((g) => g.kind !== 'external' && g.vmId !== undefined)
      .flatMap((g): Issue[] => {
        const path = `guests[${g.index}].vmId`;
        const there = facts.guests.find((r) => r.vmid === g.vmId);
        if (!there) {
          if (g.adopt)
            return [
              {
                path,
                guest: g.name,
                message: `${g.name} is marked adopt, but the cluster has no guest with id ${g.vmId}`,
                hint: "Fix vmId to the existing guest's (`pvestack import` writes it), or remove adopt so the apply creates the guest.",
              },
            ];
          return [];
        }
        if (g.adopt) {
          const problems = [
            ...(KIND[there.type] !== g.kind ? [`it is a ${there.type === 'qemu' ? 'VM' : 'container'}, the spec says ${g.kind}`] : []),
            ...(there.node !== g.node ? [`it runs on ${there.node}, the spec says ${g.node}`] : []),
          ];
          if (problems.length === 0) return [];
          return [
            {
              path,
              guest: g.name,
              message: `adopting ${describe(there)} at id ${g.vmId}: ${problems.join('; ')}`,
              hint: 'Make kind and node match the existing guest; the import block adopts <node>/<vmId> as it is.',
            },
          ];
        }
        if (ownedBy(env, there)) {
          if (KIND[there.type] === g.kind) return [];
          return [
            {
              path,
              guest: g.name,
              message: `id ${g.vmId} is ${describe(there)}, a ${there.type} of this environment, but the spec now says ${g.kind}`,
              hint: 'Changing kind replaces the guest: give the new one another id, or keep the kind.',
            },
          ];
        }
        const free = nextFreeId(env, facts.guests);
        return [
          {
            path,
            guest: g.name,
            message: `id ${g.vmId} is taken by ${describe(there)}, which this environment does not own`,
            hint: `Give ${g.name} a free id${free !== undefined ? ` (e.g. ${free})` : ''}, or, if that guest is the one meant, adopt it with \`pvestack import ${env.name} --vmid ${g.vmId}\`.`,
          },
        ];
      }),
};

export const GUEST_RULES: readonly DoctorRule[] = [vmIds];
