/**
 * The reachability matrix: who may reach which guest on which port, expanded from the firewall
 * intent (`connections`) plus the management access every environment gets (SSH from the admin
 * networks and the bastion). The firewall constructs compile the same intent into Proxmox rules;
 * checks, `diff` and `graph` read this matrix, so all of them agree by construction.
 */
import type { Environment, Guest } from './environment';
import { endpointLabel, parseFlowSource, parseFlowTarget, parsePeerSource, type FlowSource, type FlowTarget } from './flow-endpoint';
import { remoteScrapes } from './metrics-endpoints';
import { Port, type Proto } from './port';

export type { Proto } from './port';

export interface Flow {
  readonly from: FlowSource;
  readonly to: FlowTarget;
  /** Protocol and port or inclusive range. */
  readonly port: Port;
  /**
   * `connection` for declared intent, `management` for the implicit SSH/UI access, `monitoring`
   * for Prometheus reaching the metrics endpoints it scrapes (model/metrics-endpoints.ts).
   */
  readonly origin: 'connection' | 'management' | 'monitoring';
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

/** Guests by name and by role, in spec order, built once per environment. */
interface GuestIndex {
  readonly byName: ReadonlyMap<string, Guest>;
  readonly byRole: ReadonlyMap<string, readonly Guest[]>;
}

const GUEST_INDEX = new WeakMap<Environment, GuestIndex>();

function guestIndex(env: Environment): GuestIndex {
  let index = GUEST_INDEX.get(env);
  if (!index) {
    const byName = new Map<string, Guest>();
    const byRole = new Map<string, Guest[]>();
    for (const g of env.guests) {
      if (!byName.has(g.name)) byName.set(g.name, g);
      const role = byRole.get(g.role);
      if (role) role.push(g);
      else byRole.set(g.role, [g]);
    }
    index = { byName, byRole };
    GUEST_INDEX.set(env, index);
  }
  return index;
}

/** Expands a target or source reference to guest names (`role:web` → web-1, web-2). */
export function expandGuests(env: Environment, ref: string): Guest[] {
  // Looked up in an index: a filter over every guest per reference made the matrix of a
  // 1 000-guest environment quadratic.
  const index = guestIndex(env);
  if (ref.startsWith('role:')) return [...(index.byRole.get(ref.slice(5)) ?? [])];
  const found = index.byName.get(ref.startsWith('guest:') ? ref.slice(6) : ref);
  return found ? [found] : [];
}

function expandSources(env: Environment, ref: string): FlowSource[] {
  const peer = parsePeerSource(ref);
  return peer ? [peer] : expandGuests(env, ref).map((g) => ({ kind: 'guest', name: g.name }));
}

const guest = (name: string): FlowTarget => ({ kind: 'guest', name });
const ADMIN: FlowSource = { kind: 'admin' };

const MATRICES = new WeakMap<Environment, readonly Flow[]>();

/** The locale-aware order `localeCompare` gives, without building a collator per comparison. */
const COLLATOR = new Intl.Collator();

/**
 * Every allowed flow, deduplicated and sorted so that diffs of the matrix are stable. Computed
 * once per environment (a validated environment does not change): the firewall, the checks and
 * every guest's pg_hba.conf ask for it, and 1 000 guests have tens of thousands of flows.
 */
export function reachability(env: Environment): Flow[] {
  let matrix = MATRICES.get(env);
  if (!matrix) {
    matrix = computeReachability(env);
    MATRICES.set(env, matrix);
  }
  return [...matrix];
}

const FLOWS_TO = new WeakMap<Environment, ReadonlyMap<string, readonly Flow[]>>();

/** The flows whose target is guest `name`, in matrix order; indexed once per environment. */
export function flowsToGuest(env: Environment, name: string): readonly Flow[] {
  let index = FLOWS_TO.get(env);
  if (!index) {
    const byGuest = new Map<string, Flow[]>();
    for (const f of reachability(env)) {
      if (f.to.kind !== 'guest') continue;
      const list = byGuest.get(f.to.name);
      if (list) list.push(f);
      else byGuest.set(f.to.name, [f]);
    }
    FLOWS_TO.set(env, (index = byGuest));
  }
  return index.get(name) ?? [];
}

function computeReachability(env: Environment): Flow[] {
  const flows = new Map<string, Flow>();
  const add = (f: Flow) => {
    const key = flowKey(f);
    if (!flows.has(key) || (flows.get(key)!.origin !== 'connection' && f.origin === 'connection')) flows.set(key, f);
  };
  const managed = env.guests.filter((g) => g.kind !== 'external');
  for (const g of env.guests) {
    add({
      from: ADMIN,
      to: guest(g.name),
      port: Port.tcp(g.sshPort),
      origin: 'management',
      description: 'SSH from the admin networks',
      enforced: g.kind !== 'external',
    });
    if (env.admin.bastion && env.admin.bastion !== g.name)
      add({
        from: { kind: 'guest', name: env.admin.bastion },
        to: guest(g.name),
        port: Port.tcp(g.sshPort),
        origin: 'management',
        description: 'SSH from the bastion',
        enforced: g.kind !== 'external',
      });
  }
  if (managed.length > 0 || env.cluster.nodes.length > 0) {
    for (const n of env.cluster.nodes) {
      for (const port of [SSH_PORT, PROXMOX_UI_PORT])
        add({
          from: ADMIN,
          to: { kind: 'node', name: n.name },
          port: Port.tcp(port),
          origin: 'management',
          description: port === SSH_PORT ? 'SSH to the Proxmox host' : 'Proxmox web UI and API',
          enforced: true,
        });
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
          add({
            from,
            to: guest(to.name),
            port,
            origin: 'connection',
            connection: c.index,
            ...(c.description ? { description: c.description } : {}),
            enforced: to.kind !== 'external',
          });
        }
    }
  }
  // Prometheus must reach every endpoint its scrape jobs name on another guest, and nothing else:
  // one flow per (monitoring guest, target, port), unless a declared connection already allows it.
  const declared = new Map<string, Flow[]>();
  for (const f of flows.values()) {
    if (f.origin !== 'connection' || f.from.kind !== 'guest') continue;
    const pair = `${f.from.name}|${endpointLabel(f.to)}`;
    declared.set(pair, [...(declared.get(pair) ?? []), f]);
  }
  for (const s of remoteScrapes(env)) {
    if (declared.get(`${s.monitor.name}|${s.target.name}`)?.some((f) => f.port.contains(s.port, 'tcp'))) continue;
    add({
      from: { kind: 'guest', name: s.monitor.name },
      to: guest(s.target.name),
      port: Port.tcp(s.port),
      origin: 'monitoring',
      description: `Prometheus scrapes ${s.job} metrics`,
      enforced: s.target.kind !== 'external',
    });
  }
  // Labels once per flow, not twice per comparison; the same order as before.
  const keyed = [...flows.values()].map((f) => ({ f, to: endpointLabel(f.to), from: endpointLabel(f.from) }));
  keyed.sort(
    (a, b) =>
      COLLATOR.compare(a.to, b.to) ||
      COLLATOR.compare(a.from, b.from) ||
      COLLATOR.compare(a.f.port.protocol, b.f.port.protocol) ||
      a.f.port.fromPort - b.f.port.fromPort,
  );
  return keyed.map((k) => k.f);
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
