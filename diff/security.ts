/**
 * Security-relevant changes: firewall flows opened and closed (the reachability matrix of base
 * against head, so declared intent and implicit management access are both covered), ports newly
 * open to the internet, containers that become privileged, and PCI passthrough changes.
 */
import { endpointLabel, flowKey, reachability, type Environment, type Flow } from '../model';
import { GUEST_TYPES } from './plan';
import type { FlowRef, ResourceChange, SecurityChanges } from './types';
import { normalizePath } from './values';

/** A flow as the report's JSON writes it: each end in the spec's spelling. */
function ref(f: Flow): FlowRef {
  return {
    from: endpointLabel(f.from),
    to: endpointLabel(f.to),
    proto: f.port.protocol,
    port: f.port.toFlowPort(),
    ...(f.description ? { description: f.description } : {}),
  };
}

/** Flows present in one matrix and not the other; an environment absent on one side has none. */
export function diffFlows(base: Environment | undefined, head: Environment | undefined): { opened: FlowRef[]; closed: FlowRef[] } {
  const b = new Map((base ? reachability(base) : []).map((f) => [flowKey(f), ref(f)] as const));
  const h = new Map((head ? reachability(head) : []).map((f) => [flowKey(f), ref(f)] as const));
  return {
    opened: [...h.entries()].filter(([k]) => !b.has(k)).map(([, f]) => f),
    closed: [...b.entries()].filter(([k]) => !h.has(k)).map(([, f]) => f),
  };
}

/** Attributes and resource types through which a guest gets host PCI devices (GPUs). */
const PCI_ATTRIBUTES = ['hostpci', 'device_passthrough'];
const PCI_TYPES = /hardware_mapping_pci$/;

function privilegedContainers(base: Environment | undefined, head: Environment | undefined): SecurityChanges['privilegedContainers'] {
  const before = new Map((base?.guests ?? []).map((g) => [g.name, g] as const));
  return (head?.guests ?? [])
    .filter((g) => g.kind === 'lxc' && g.lxc && !g.lxc.unprivileged)
    .flatMap((g) => {
      const old = before.get(g.name);
      if (old?.kind === 'lxc' && old.lxc && !old.lxc.unprivileged) return [];
      return [
        {
          guest: g.name,
          ...(g.lxc?.privilegedReason ? { reason: g.lxc.privilegedReason } : {}),
          change: old ? ('became privileged' as const) : ('added' as const),
        },
      ];
    });
}

function gpuChanges(resources: readonly ResourceChange[]): SecurityChanges['gpuChanges'] {
  return resources.flatMap((r) => {
    const base = { address: r.address, ...(r.guest ? { guest: r.guest } : {}), action: r.action };
    if (PCI_TYPES.test(r.type)) return [base];
    const pci = r.changes.filter((c) => PCI_ATTRIBUTES.includes(normalizePath(c.path).split('.')[0]!));
    if (pci.length === 0) return [];
    return pci.map((c) => ({ ...base, ...('before' in c ? { before: c.before } : {}), ...('after' in c ? { after: c.after } : {}) }));
  });
}

/** Guests whose GPU list changed where no resource diff already shows it (new or removed guests). */
function gpuAssignmentChanges(
  base: Environment | undefined,
  head: Environment | undefined,
  resources: readonly ResourceChange[],
): SecurityChanges['gpuChanges'] {
  const shown = new Set(gpuChanges(resources).map((c) => c.guest));
  const before = new Map((base?.guests ?? []).map((g) => [g.name, g.gpus] as const));
  const after = new Map((head?.guests ?? []).map((g) => [g.name, g.gpus] as const));
  return [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .filter((name) => !shown.has(name) && (before.get(name) ?? []).join(',') !== (after.get(name) ?? []).join(','))
    .map((name) => {
      const res = resources.find((r) => r.guest === name && GUEST_TYPES.has(r.type));
      return {
        address: res?.address ?? `guest ${name}`,
        guest: name,
        action: res?.action ?? 'update',
        before: before.get(name) ?? [],
        after: after.get(name) ?? [],
      };
    });
}

/** Security changes between two revisions of an environment. */
export function diffSecurity(base: Environment | undefined, head: Environment | undefined, resources: readonly ResourceChange[]): SecurityChanges {
  const { opened, closed } = diffFlows(base, head);
  return {
    flowsOpened: opened,
    flowsClosed: closed,
    publicPortsOpened: opened.filter((f) => f.from === 'internet'),
    privilegedContainers: privilegedContainers(base, head),
    gpuChanges: [...gpuChanges(resources), ...gpuAssignmentChanges(base, head, resources)],
  };
}
