/**
 * The reachability matrix: who may reach which guest on which port, expanded from the firewall
 * intent (`connections`) plus the management access every environment gets (SSH from the admin
 * networks and the bastion). The firewall constructs compile the same intent into Proxmox rules;
 * checks, `diff` and `graph` read this matrix, so all of them agree by construction.
 */
import type { Environment, Guest } from './environment';
import { endpointLabel, parseFlowSource, parseFlowTarget, parsePeerSource, type FlowSource, type FlowTarget } from './flow-endpoint';
import { Port, type Proto } from './port';

export type { Proto } from './port';

export interface Flow {
  readonly from: FlowSource;
  readonly to: FlowTarget;
  /** Protocol and port or inclusive range. */
  readonly port: Port;
  /** `connection` for declared intent, `management` for the implicit SSH/UI access. */
  readonly origin: 'connection' | 'management';
  /** Index into `env.connections` for declared intent. */
  readonly connection?: number;
  readonly description?: string;
  /** False when the target is an external host: pvestack cannot enforce rules there. */
  readonly enforced: boolean;
}

export const SSH_PORT = 22;
export const PROXMOX_UI_PORT = 8006;

/** The one identity of a flow (`admin|db|tcp/22`): the matrix deduplicates by it and `diff` compares by it. */
export function flowKey(f: Pick<Flow, 'from' | 'to' | 'port'>): string {
  return `${endpointLabel(f.from)}|${endpointLabel(f.to)}|${f.port.protocol}|${f.port.toFlowPort()}`;
}

/** Expands a target or source reference to guest names (`role:web` → web-1, web-2). */
export function expandGuests(env: Environment, ref: string): Guest[] {
  if (ref.startsWith('role:')) return env.guests.filter((g) => g.role === ref.slice(5));
  const name = ref.startsWith('guest:') ? ref.slice(6) : ref;
  return env.guests.filter((g) => g.name === name);
}

function expandSources(env: Environment, ref: string): FlowSource[] {
  const peer = parsePeerSource(ref);
  return peer ? [peer] : expandGuests(env, ref).map((g) => ({ kind: 'guest', name: g.name }));
}

const guest = (name: string): FlowTarget => ({ kind: 'guest', name });
const ADMIN: FlowSource = { kind: 'admin' };

/** Every allowed flow, deduplicated and sorted so that diffs of the matrix are stable. */
export function reachability(env: Environment): Flow[] {
  const flows = new Map<string, Flow>();
  const add = (f: Flow) => {
    const key = flowKey(f);
    if (!flows.has(key) || (flows.get(key)!.origin === 'management' && f.origin === 'connection')) flows.set(key, f);
  };
  const managed = env.guests.filter((g) => g.kind !== 'external');
  for (const g of env.guests) {
    add({ from: ADMIN, to: guest(g.name), port: Port.tcp(g.sshPort), origin: 'management', description: 'SSH from the admin networks', enforced: g.kind !== 'external' });
    if (env.admin.bastion && env.admin.bastion !== g.name)
      add({ from: { kind: 'guest', name: env.admin.bastion }, to: guest(g.name), port: Port.tcp(g.sshPort), origin: 'management', description: 'SSH from the bastion', enforced: g.kind !== 'external' });
  }
  if (managed.length > 0 || env.cluster.nodes.length > 0) {
    for (const n of env.cluster.nodes) {
      for (const port of [SSH_PORT, PROXMOX_UI_PORT])
        add({ from: ADMIN, to: { kind: 'node', name: n.name }, port: Port.tcp(port), origin: 'management', description: port === SSH_PORT ? 'SSH to the Proxmox host' : 'Proxmox web UI and API', enforced: true });
    }
  }
  for (const c of env.connections) {
    const sources = c.from.flatMap((ref) => expandSources(env, ref));
    const targets = c.to.flatMap((ref) => expandGuests(env, ref));
    for (const portSpec of c.ports) {
      const port = Port.parse(portSpec);
      for (const from of sources)
        for (const to of targets) {
          if (from.kind === 'guest' && from.name === to.name) continue;
          add({ from, to: guest(to.name), port, origin: 'connection', connection: c.index, ...(c.description ? { description: c.description } : {}), enforced: to.kind !== 'external' });
        }
    }
  }
  return [...flows.values()].sort(
    (a, b) =>
      endpointLabel(a.to).localeCompare(endpointLabel(b.to)) ||
      endpointLabel(a.from).localeCompare(endpointLabel(b.from)) ||
      a.port.protocol.localeCompare(b.port.protocol) ||
      a.port.fromPort - b.port.fromPort,
  );
}

/**
 * Whether `from` may reach `to` on `proto/port`. Ends are written as `endpointLabel` writes them
 * (`internet`, `admin`, `cidr:…`, a guest name, `node:pve1`) or given typed. A guest is reachable
 * from the internet only through an `internet` flow: admin and cidr flows do not open a port to
 * everyone.
 */
export function isReachable(flows: readonly Flow[], from: string | FlowSource, to: string | FlowTarget, proto: Proto, port: number): boolean {
  const fromLabel = endpointLabel(typeof from === 'string' ? parseFlowSource(from) : from);
  const toLabel = endpointLabel(typeof to === 'string' ? parseFlowTarget(to) : to);
  return flows.some((f) => endpointLabel(f.from) === fromLabel && endpointLabel(f.to) === toLabel && f.port.contains(port, proto));
}
