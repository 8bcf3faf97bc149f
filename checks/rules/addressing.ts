/**
 * The IP and VM-id plan: addresses inside their network and not reserved or taken, VM ids unique
 * and inside the configured range. Host names are checked (valid, unique) by the spec validator.
 */
import { Cidr, type Environment, type Guest, intToIpv4, ipv4ToInt, type Network, networkOf } from '../../model';
import type { Issue, Rule } from '../types';

/** Proxmox guests: external hosts keep whatever address they already have. */
const managed = (env: Environment) => env.guests.filter((g) => g.kind !== 'external');

/** Host addresses a guest may take: not the network, broadcast or gateway address (for messages). */
function hostRange(cidr: Cidr, gateway: string): string {
  let first = cidr.prefix < 31 ? cidr.network + 1 : cidr.network;
  let last = cidr.prefix < 31 ? cidr.broadcast - 1 : cidr.broadcast;
  const gw = ipv4ToInt(gateway);
  if (gw === first) first++;
  if (gw === last) last--;
  return `${intToIpv4(first)}–${intToIpv4(last)}`;
}

/** The lowest host address of `net` that is neither reserved nor used by any guest, for hints. */
export function freeAddress(env: Environment, net: Network): string | undefined {
  const cidr = Cidr.parse(net.cidr);
  const taken = new Set(env.guests.filter((g) => g.network === net.name).map((g) => g.ipv4));
  taken.add(net.gateway);
  const [first, last] = cidr.prefix < 31 ? [cidr.network + 1, cidr.broadcast - 1] : [cidr.network, cidr.broadcast];
  for (let ip = first; ip <= last; ip++) if (!taken.has(intToIpv4(ip))) return intToIpv4(ip);
  return undefined;
}

/** "a free address such as 10.30.0.2" or, in a full network, "a free address (none is left in ...)". */
function freeAddressText(env: Environment, net: Network): string {
  const free = freeAddress(env, net);
  return free ? `a free address such as ${free}` : `a free address (none is left in ${net.cidr}: widen it or add a network)`;
}

/** The lowest VM id of cluster.vmIdRange that no guest uses, for hints. */
export function freeVmId(env: Environment): number | undefined {
  const taken = new Set(env.guests.map((g) => g.vmId));
  for (let id = env.cluster.vmIdRange.from; id <= env.cluster.vmIdRange.to; id++) if (!taken.has(id)) return id;
  return undefined;
}

export const addressInNetwork: Rule = {
  id: 'PVE-NET-001',
  family: 'addressing',
  severity: 'error',
  title: "Every guest address lies inside its network's CIDR",
  check: ({ env }) =>
    managed(env).flatMap((g): Issue[] => {
      const net = networkOf(env, g);
      const cidr = Cidr.parse(net.cidr);
      if (cidr.contains(g.ipv4)) return [];
      return [
        {
          path: `guests[${g.index}].ipv4`,
          guest: g.name,
          message: `${g.name} has ${g.ipv4}, outside network ${net.name} ${net.cidr} (guest addresses ${hostRange(cidr, net.gateway)}, gateway ${net.gateway})`,
          hint: `Use ${freeAddressText(env, net)}, or attach the guest to the network that holds ${g.ipv4}.`,
        },
      ];
    }),
};

export const addressUnique: Rule = {
  id: 'PVE-NET-002',
  family: 'addressing',
  severity: 'error',
  title: 'No two guests share an address',
  check: ({ env }) => {
    const seen = new Map<string, Guest>();
    return env.guests.flatMap((g): Issue[] => {
      const key = `${g.network}|${g.ipv4}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, g);
        return [];
      }
      return [
        {
          path: `guests[${g.index}].ipv4`,
          guest: g.name,
          message: `${g.name} and ${first.name} both have ${g.ipv4} on network ${g.network}`,
          hint: `Give each guest its own address (${freeAddressText(env, networkOf(env, g))}); the second one to boot loses its network.`,
        },
      ];
    });
  },
};

export const addressNotReserved: Rule = {
  id: 'PVE-NET-003',
  family: 'addressing',
  severity: 'error',
  title: 'No guest uses the network, broadcast or gateway address',
  check: ({ env }) =>
    managed(env).flatMap((g): Issue[] => {
      const net = networkOf(env, g);
      const cidr = Cidr.parse(net.cidr);
      const ip = ipv4ToInt(g.ipv4);
      // /31 and /32 have no network or broadcast address to avoid (RFC 3021).
      const role =
        g.ipv4 === net.gateway
          ? 'gateway'
          : cidr.prefix < 31 && ip === cidr.network
            ? 'network address'
            : cidr.prefix < 31 && ip === cidr.broadcast
              ? 'broadcast address'
              : undefined;
      if (!role) return [];
      return [
        {
          path: `guests[${g.index}].ipv4`,
          guest: g.name,
          message: `${g.name} has ${g.ipv4}, the ${role} of network ${net.name} ${net.cidr}`,
          hint: `Use ${freeAddressText(env, net)} (guest addresses are ${hostRange(cidr, net.gateway)}, other than the gateway ${net.gateway}).`,
        },
      ];
    }),
};

export const vmIdUnique: Rule = {
  id: 'PVE-NET-004',
  family: 'addressing',
  severity: 'error',
  title: 'VM ids are unique in the cluster',
  check: ({ env }) => {
    const seen = new Map<number, Guest>();
    return managed(env).flatMap((g): Issue[] => {
      if (g.vmId === undefined) return [];
      const first = seen.get(g.vmId);
      if (!first) {
        seen.set(g.vmId, g);
        return [];
      }
      return [
        {
          path: `guests[${g.index}].vmId`,
          guest: g.name,
          message: `${g.name} and ${first.name} both have VM id ${g.vmId}`,
          hint: `VM ids are cluster-wide: give ${g.name} its own id${freeVmId(env) !== undefined ? ` (${freeVmId(env)} is free in ${env.cluster.vmIdRange.from}–${env.cluster.vmIdRange.to})` : ''}, or leave vmId out to have one assigned.`,
        },
      ];
    });
  },
};

export const vmIdInRange: Rule = {
  id: 'PVE-NET-005',
  family: 'addressing',
  severity: 'error',
  title: 'VM ids lie inside cluster.vmIdRange',
  check: ({ env }) => {
    const { from, to } = env.cluster.vmIdRange;
    return managed(env).flatMap((g): Issue[] => {
      // An adopted guest keeps the id it was made with: the range governs ids pvestack hands out.
      if (g.vmId === undefined || g.adopt || (g.vmId >= from && g.vmId <= to)) return [];
      return [
        {
          path: `guests[${g.index}].vmId`,
          guest: g.name,
          message: `${g.name} has VM id ${g.vmId}, outside cluster.vmIdRange ${from}–${to}`,
          hint: `Use an id from ${from} to ${to}: ids outside the range may belong to guests pvestack does not manage.`,
        },
      ];
    });
  },
};

/** Why a network's NIC tag looks like a second tag on a bridge already on that VLAN, or undefined. */
function vlanOnVlan(net: Network): string | undefined {
  if (net.vlan === undefined) return undefined;
  if (net.bridgeVlan !== undefined) return `bridge ${net.bridge} already sits on VLAN ${net.bridgeVlan} (bridgeVlan)`;
  if (new RegExp(`\\D${net.vlan}$`).test(net.bridge))
    return `bridge ${net.bridge} is named after VLAN ${net.vlan}, the usual sign that its port is the VLAN interface (e.g. enp0s31f6.${net.vlan})`;
  return undefined;
}

export const vlanOnVlanBridge: Rule = {
  id: 'PVE-NET-006',
  family: 'addressing',
  severity: 'warning',
  title: 'A NIC is not tagged with the VLAN its bridge already sits on (double tagging)',
  // The provider writes vlan_id as the NIC's `tag=` (network_device / network_interface); on a
  // bridge whose port is already `<nic>.<vlan>` the kernel adds that tag on top of the guest's,
  // so the switch (a Hetzner vSwitch, say) receives double-tagged frames and drops them.
  check: ({ env }) =>
    env.networks.flatMap((net, i): Issue[] => {
      const why = vlanOnVlan(net);
      const users = managed(env).filter((g) => g.network === net.name);
      if (!why || users.length === 0) return [];
      return [
        {
          path: `networks[${i}].vlan`,
          message: `network ${net.name} tags the NICs of ${users.map((g) => g.name).join(', ')} with VLAN ${net.vlan}, but ${why}: their frames would leave tagged twice`,
          hint: `If ${net.bridge}'s port is the VLAN interface (\`grep -A3 'iface ${net.bridge}' /etc/network/interfaces\` shows bridge-ports <nic>.${net.vlan}), remove vlan and set bridgeVlan: ${net.vlan}. Keep vlan only on a VLAN-aware bridge over the untagged NIC (bridge-vlan-aware yes).`,
        },
      ];
    }),
};

export const ADDRESSING_RULES: readonly Rule[] = [addressInNetwork, addressUnique, addressNotReserved, vmIdUnique, vmIdInRange, vlanOnVlanBridge];
