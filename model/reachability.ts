/**
 * The reachability matrix: who may reach which guest on which port, expanded from the firewall
 * intent (`connections`) plus the management access every environment gets (SSH from the admin
 * networks and the bastion). The firewall constructs compile the same intent into Proxmox rules;
 * checks, `diff` and `graph` read this matrix, so all of them agree by construction.
 */
import type { Environment, Guest } from './environment';

export type Proto = 'tcp' | 'udp';

export interface Flow {
  /** `internet`, `admin`, a guest name, `cidr:<cidr>` or `ipset:<name>`. */
  readonly from: string;
  /** A guest name, or `node:<name>` for a Proxmox host's management ports. */
  readonly to: string;
  readonly proto: Proto;
  /** A port or an inclusive range, e.g. `5432` or `8000-8010`. */
  readonly port: string;
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

/** Expands a target or source reference to guest names (`role:web` → web-1, web-2). */
export function expandGuests(env: Environment, ref: string): Guest[] {
  if (ref.startsWith('role:')) return env.guests.filter((g) => g.role === ref.slice(5));
  const name = ref.startsWith('guest:') ? ref.slice(6) : ref;
  return env.guests.filter((g) => g.name === name);
}

function expandSources(env: Environment, ref: string): string[] {
  if (ref === 'internet' || ref === 'admin' || ref.startsWith('cidr:') || ref.startsWith('ipset:')) return [ref];
  return expandGuests(env, ref).map((g) => g.name);
}

/** Every allowed flow, deduplicated and sorted so that diffs of the matrix are stable. */
export function reachability(env: Environment): Flow[] {
  const flows = new Map<string, Flow>();
  const add = (f: Flow) => {
    const key = `${f.from}|${f.to}|${f.proto}|${f.port}`;
    if (!flows.has(key) || (flows.get(key)!.origin === 'management' && f.origin === 'connection')) flows.set(key, f);
  };
  const managed = env.guests.filter((g) => g.kind !== 'external');
  for (const g of env.guests) {
    add({ from: 'admin', to: g.name, proto: 'tcp', port: String(g.sshPort), origin: 'management', description: 'SSH from the admin networks', enforced: g.kind !== 'external' });
    if (env.admin.bastion && env.admin.bastion !== g.name)
      add({ from: env.admin.bastion, to: g.name, proto: 'tcp', port: String(g.sshPort), origin: 'management', description: 'SSH from the bastion', enforced: g.kind !== 'external' });
  }
  if (managed.length > 0 || env.cluster.nodes.length > 0) {
    for (const n of env.cluster.nodes) {
      for (const port of [SSH_PORT, PROXMOX_UI_PORT])
        add({ from: 'admin', to: `node:${n.name}`, proto: 'tcp', port: String(port), origin: 'management', description: port === SSH_PORT ? 'SSH to the Proxmox host' : 'Proxmox web UI and API', enforced: true });
    }
  }
  for (const c of env.connections) {
    const sources = c.from.flatMap((ref) => expandSources(env, ref));
    const targets = c.to.flatMap((ref) => expandGuests(env, ref));
    for (const portSpec of c.ports) {
      const [proto, port] = portSpec.split('/') as [Proto, string];
      for (const from of sources)
        for (const to of targets) {
          if (from === to.name) continue;
          add({ from, to: to.name, proto, port, origin: 'connection', connection: c.index, ...(c.description ? { description: c.description } : {}), enforced: to.kind !== 'external' });
        }
    }
  }
  return [...flows.values()].sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from) || a.proto.localeCompare(b.proto) || portStart(a.port) - portStart(b.port));
}

function portStart(port: string): number {
  return Number(port.split('-')[0]);
}

/** Whether `port` falls inside a flow's port or range. */
export function portMatches(flowPort: string, port: number): boolean {
  const [lo, hi] = flowPort.split('-').map(Number);
  return port >= lo! && port <= (hi ?? lo!);
}

/**
 * Whether `from` may reach `to` on `proto/port`. `from` is `internet`, `admin`, a guest name or
 * `cidr:...`. A guest is also reachable from the internet only through an `internet` flow:
 * admin and cidr flows do not open a port to everyone.
 */
export function isReachable(flows: readonly Flow[], from: string, to: string, proto: Proto, port: number): boolean {
  return flows.some((f) => f.from === from && f.to === to && f.proto === proto && portMatches(f.port, port));
}
