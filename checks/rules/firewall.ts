/**
 * Firewall policy over the reachability matrix (`model/reachability.ts`) and the ports stacks
 * listen on (`model/listeners.ts`).
 *
 * Public entry points: tcp/80 and tcp/443 on a guest with role `proxy` or one that runs an
 * `nginx-proxy` stack (staging's single web guest terminates TLS itself), and SMTP/submission/IMAPS
 * (25, 465, 587, 993) on a guest with role `mail`, which cannot sit behind an HTTP proxy. Anything else reachable
 * from the internet is an error; a deliberate exception (a mail server's 25) is a suppression of
 * PVE-FW-001 with its reason. "The internet" is the `internet` peer and any `cidr:` source of /8
 * or wider (`cidr:0.0.0.0/0` is how plans usually spell "open to the world").
 */
import {
  Cidr,
  endpointLabel,
  type Environment,
  type Flow,
  type FlowSource,
  type Guest,
  type Listener,
  guestListeners,
  PROXMOX_UI_PORT,
  reachability,
  SSH_PORT,
} from '../../model';
import type { Issue, Rule } from '../types';

const WEB_ENTRY_PORTS = [80, 443];
const MAIL_ENTRY_PORTS = [25, 465, 587, 993];
/** Ports that must never be public whatever listens there: databases, caches, model servers, the Docker API. */
const SENSITIVE_PORTS: Readonly<Record<number, string>> = {
  5432: 'PostgreSQL',
  3306: 'MySQL',
  27017: 'MongoDB',
  6379: 'Redis',
  8000: 'model server (vLLM)',
  2375: 'Docker API (plain)',
  2376: 'Docker API (TLS)',
};
/** Compose images whose ports are sensitive wherever they are published. */
const SENSITIVE_IMAGE =
  /(^|\/)(postgres|pgvector|timescaledb|postgis|mysql|mariadb|mongo|redis|valkey|keydb|vllm-openai|vllm|ollama|docker|qdrant|clickhouse-server|minio)(:|@|$)/;

function isInternet(from: FlowSource): boolean {
  if (from.kind === 'internet') return true;
  if (from.kind !== 'cidr') return false;
  const cidr = Cidr.tryParse(from.cidr);
  return cidr !== undefined && cidr.prefix <= 8;
}

function flowRange(flow: Flow): [number, number] {
  return [flow.port.fromPort, flow.port.toPort];
}

/** Listeners with a usable port (a compose `ports: ["80"]` entry publishes a random host port). */
const listenerCache = new WeakMap<Guest, Listener[]>();
function listeners(guest: Guest): Listener[] {
  let ls = listenerCache.get(guest);
  if (!ls) listenerCache.set(guest, (ls = guestListeners(guest).filter((l) => Number.isInteger(l.port) && l.port > 0)));
  return ls;
}

/** Why a port on a guest is sensitive (what listens there), or undefined. */
function sensitiveReason(guest: Guest, port: number): string | undefined {
  for (const l of listeners(guest)) {
    if (l.port !== port) continue;
    if (['postgres', 'redis', 'vllm'].includes(l.stack)) return `${l.stack} listens there`;
    const compose = guest.stacks.find((s) => s.kind === 'compose' && s.name === l.stack);
    const svc = compose?.kind === 'compose' ? compose.services.find((s) => s.name === l.service) : undefined;
    if (svc && SENSITIVE_IMAGE.test(svc.image.toLowerCase())) return `${l.stack}/${l.service} (${svc.image}) listens there`;
  }
  return SENSITIVE_PORTS[port];
}

/** Sensitive ports inside a flow's range on its target. */
function sensitiveHits(guest: Guest, flow: Flow): { port: number; why: string }[] {
  const [lo, hi] = flowRange(flow);
  const candidates = new Set<number>([...Object.keys(SENSITIVE_PORTS).map(Number), ...listeners(guest).map((l) => l.port)]);
  return [...candidates]
    .filter((p) => p >= lo && p <= hi)
    .sort((a, b) => a - b)
    .flatMap((port) => {
      const why = sensitiveReason(guest, port);
      return why ? [{ port, why }] : [];
    });
}

function managementPorts(guest: Guest): number[] {
  return [...new Set([SSH_PORT, guest.sshPort, PROXMOX_UI_PORT])];
}

/** Ports a guest may expose to the internet by its role. */
function entryPorts(guest: Guest): number[] {
  if (guest.role === 'mail') return MAIL_ENTRY_PORTS;
  return guest.role === 'proxy' || guest.stacks.some((s) => s.kind === 'nginx-proxy') ? WEB_ENTRY_PORTS : [];
}

// Four rules read the same matrix; compute it once per environment.
const flowCache = new WeakMap<Environment, { flow: Flow; guest: Guest }[]>();

/** Declared (connection) flows with their target guest. */
function declaredFlows(env: Environment): { flow: Flow; guest: Guest }[] {
  let flows = flowCache.get(env);
  if (!flows) {
    const byName = new Map(env.guests.map((g) => [g.name, g]));
    flows = reachability(env).flatMap((flow) => {
      const guest = flow.origin === 'connection' && flow.to.kind === 'guest' ? byName.get(flow.to.name) : undefined;
      return guest ? [{ flow, guest }] : [];
    });
    flowCache.set(env, flows);
  }
  return flows;
}

const where = (flow: Flow) => `connections[${flow.connection}]`;
const source = (flow: Flow) => (flow.from.kind === 'internet' ? 'the internet' : endpointLabel(flow.from));

export const onlyEntryPointsPublic: Rule = {
  id: 'PVE-FW-001',
  family: 'firewall',
  severity: 'error',
  title: 'Only the public entry points (80/443 on the proxy, mail ports on a mail guest) are reachable from the internet',
  check: ({ env }) =>
    declaredFlows(env)
      .filter(({ flow }) => isInternet(flow.from))
      .flatMap(({ flow, guest }): Issue[] => {
        const [lo, hi] = flowRange(flow);
        // Ports the more specific rules report (FW-002 sensitive, FW-003 management) are left to them.
        const special = new Set([...sensitiveHits(guest, flow).map((h) => h.port), ...managementPorts(guest)]);
        const entry = entryPorts(guest);
        const offending: number[] = [];
        for (let p = lo; p <= hi && offending.length < 5; p++) if (!entry.includes(p) && !special.has(p)) offending.push(p);
        if (offending.length === 0) return [];
        return [
          {
            path: where(flow),
            guest: guest.name,
            message: `${guest.name} (role ${guest.role}) is reachable from ${source(flow)} on ${flow.port}${lo !== hi ? ` (${hi - lo + 1} ports)` : ''}; public entry points are ${WEB_ENTRY_PORTS.join('/')} on proxy guests (and ${MAIL_ENTRY_PORTS.join('/')} on mail guests)`,
            hint: `Route the traffic through the proxy (internet → proxy 80/443 → ${guest.name}), narrow the source to admin or a cidr, or suppress PVE-FW-001 for ${where(flow)} with the reason it must be public.`,
          },
        ];
      }),
};

export const sensitivePortsPrivate: Rule = {
  id: 'PVE-FW-002',
  family: 'firewall',
  severity: 'error',
  title: 'Database, cache, model-server and Docker API ports are never reachable from the internet',
  check: ({ env }) =>
    declaredFlows(env)
      .filter(({ flow }) => isInternet(flow.from))
      .flatMap(({ flow, guest }): Issue[] =>
        sensitiveHits(guest, flow).map(({ port, why }) => ({
          path: where(flow),
          guest: guest.name,
          message: `${guest.name} ${flow.port.protocol}/${port} is reachable from ${source(flow)} (${flow.port} in ${where(flow)}): ${why}`,
          hint: 'Allow it only from the guests that need it (e.g. { from: role:web, to: db, ports: tcp/5432 }); reach it yourself over the bastion or VPN. A non-standard port does not hide a database from scanners.',
        })),
      ),
};

export const managementFromAdminOnly: Rule = {
  id: 'PVE-FW-003',
  family: 'firewall',
  severity: 'error',
  title: 'SSH and the Proxmox UI (8006) are reachable only from admin networks and the bastion',
  check: ({ env }) => {
    const adminCidrs = env.admin.cidrs.map((c) => Cidr.parse(c));
    const allowed = (from: FlowSource) => {
      if (from.kind === 'admin' || (from.kind === 'guest' && from.name === env.admin.bastion)) return true;
      const cidr = from.kind === 'cidr' ? Cidr.tryParse(from.cidr) : undefined;
      return cidr !== undefined && adminCidrs.some((a) => a.covers(cidr));
    };
    return declaredFlows(env)
      .filter(({ flow }) => !allowed(flow.from))
      .flatMap(({ flow, guest }): Issue[] => {
        const hits = managementPorts(guest).filter((p) => flow.port.contains(p));
        if (hits.length === 0) return [];
        return [
          {
            path: where(flow),
            guest: guest.name,
            message: `${hits.map((p) => (p === PROXMOX_UI_PORT ? `Proxmox UI ${p}` : `SSH ${p}`)).join(' and ')} on ${guest.name} reachable from ${source(flow)} (${flow.port} in ${where(flow)}); allowed only from admin (${env.admin.cidrs.join(', ')})${env.admin.bastion ? ` and the bastion ${env.admin.bastion}` : ''}`,
            hint: 'Remove the rule: pvestack already opens SSH from admin.cidrs and the bastion to every guest. Add the source network to admin.cidrs if it really is an admin network.',
          },
        ];
      });
  },
};

export const connectionHasListener: Rule = {
  id: 'PVE-FW-004',
  family: 'firewall',
  severity: 'warning',
  title: 'A declared connection targets a port something listens on',
  check: ({ env }) =>
    declaredFlows(env).flatMap(({ flow, guest }): Issue[] => {
      const [lo, hi] = flowRange(flow);
      const ports = [
        ...listeners(guest)
          .filter((l) => l.proto === flow.port.protocol)
          .map((l) => l.port),
        ...(flow.port.protocol === 'tcp' ? [guest.sshPort] : []),
      ];
      if (ports.some((p) => p >= lo && p <= hi)) return [];
      const known = [...new Set(listeners(guest).map((l) => `${l.proto}/${l.port} (${l.stack})`))];
      return [
        {
          path: where(flow),
          guest: guest.name,
          message: `${where(flow)} opens ${flow.port} on ${guest.name} from ${source(flow)}, but no stack on ${guest.name} listens there (${known.length ? `listening: ${known.join(', ')}` : 'it runs no stacks'})`,
          hint: `Fix the port, add the stack that serves it, or drop the rule: an open port with no declared service is where a stray process ends up answering.`,
        },
      ];
    }),
};

export const noPortClash: Rule = {
  id: 'PVE-FW-005',
  family: 'firewall',
  severity: 'error',
  title: 'No two services on a guest listen on the same port',
  check: ({ env }) =>
    env.guests.flatMap((g): Issue[] => {
      const byPort = new Map<string, Listener[]>();
      for (const l of listeners(g)) byPort.set(`${l.proto}/${l.port}`, [...(byPort.get(`${l.proto}/${l.port}`) ?? []), l]);
      return [...byPort.entries()]
        .filter(([, ls]) => ls.length > 1)
        .map(([port, ls]) => ({
          path: `guests[${g.index}].stacks`,
          guest: g.name,
          message: `${g.name}: ${ls.map((l) => `${l.stack}/${l.service}`).join(' and ')} all listen on ${port}`,
          hint: `Give one of them another port (the stack's port field); the second to start fails to bind, or worse, answers for the first.${
            ls.some((l) => l.stack === 'node-exporter' || l.stack === 'dcgm-exporter')
              ? ` The exporters a monitoring stack adds to the guests it scrapes (model/derived-exporters.ts) move when the guest declares that stack with a port, and are left out with monitoringExporters: false.`
              : ''
          }`,
        }));
    }),
};

export const FIREWALL_RULES: readonly Rule[] = [onlyEntryPointsPublic, sensitivePortsPrivate, managementFromAdminOnly, connectionHasListener, noPortClash];
