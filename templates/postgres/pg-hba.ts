/**
 * pg_hba.conf from the firewall intent: the database accepts password logins (scram-sha-256)
 * only from the sources the reachability matrix lets reach this guest's PostgreSQL port, so the
 * database's own access list and the Proxmox firewall say the same thing.
 */
import type { Environment, Guest } from '../../model';
import { endpointLabel, flowsToGuest, guestByName } from '../../model';

export interface HbaSource {
  /** `10.20.0.11/32`, `198.51.100.0/24`. */
  readonly address: string;
  readonly comment: string;
}

/** Addresses allowed to reach `guest` on tcp/`port`, from the firewall intent. */
export function hbaSources(env: Environment, guest: Guest, port: number): HbaSource[] {
  const out: HbaSource[] = [];
  // Only the flows to this guest: every database guest of a large environment asks.
  for (const flow of flowsToGuest(env, guest.name)) {
    if (!flow.port.contains(port, 'tcp')) continue;
    const why = flow.description ? `: ${flow.description}` : '';
    const from = flow.from;
    switch (from.kind) {
      case 'internet':
        out.push({ address: '0.0.0.0/0', comment: `internet (the firewall intent opens this port to everyone)${why}` });
        break;
      case 'admin':
        for (const cidr of env.admin.cidrs) out.push({ address: cidr, comment: `admin network${why}` });
        break;
      case 'cidr':
        out.push({ address: from.cidr, comment: `${endpointLabel(from)}${why}` });
        break;
      case 'ipset':
        break; // IP sets live in Proxmox; name their members as cidr: sources to admit them here.
      case 'guest': {
        const peer = guestByName(env, from.name);
        if (peer) out.push({ address: `${peer.ipv4}/32`, comment: `guest ${peer.name}${why}` });
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.address) && seen.add(s.address));
}

export interface PgHbaInput {
  readonly database: string;
  readonly user: string;
  readonly sources: readonly HbaSource[];
  /**
   * Admit the networks the container is attached to (`samenet`): co-located stacks on the
   * guest's shared Docker network, and the guest itself through docker-proxy.
   */
  readonly sameHost: boolean;
  /** Lets this user open a replication connection from 127.0.0.1, for the pg-backup sidecar's pg_basebackup. */
  readonly replicationUser?: string;
}

function row(type: string, db: string, user: string, address: string, method: string, comment?: string): string {
  const cols = [type.padEnd(7), db.padEnd(15), user.padEnd(15), address.padEnd(20), method].join(' ').trimEnd();
  return comment ? `${cols}  # ${comment}` : cols;
}

export function renderPgHba(input: PgHbaInput): string {
  const lines = [
    '# Rendered by pvestack from the firewall intent; every other source is rejected.',
    row('# TYPE', 'DATABASE', 'USER', 'ADDRESS', 'METHOD'),
    row('local', 'all', 'all', '', 'scram-sha-256', 'inside the container'),
    row('host', 'all', 'all', '127.0.0.1/32', 'scram-sha-256', 'healthcheck and the pg-backup sidecar (same network namespace)'),
  ];
  // `all` in the DATABASE column does not match replication connections (pg_hba.conf docs).
  if (input.replicationUser)
    lines.push(row('host', 'replication', input.replicationUser, '127.0.0.1/32', 'scram-sha-256', 'pg_basebackup of the pg-backup sidecar'));
  if (input.sameHost) lines.push(row('host', input.database, input.user, 'samenet', 'scram-sha-256', 'stacks on this guest (shared Docker network)'));
  for (const s of input.sources) lines.push(row('host', input.database, input.user, s.address, 'scram-sha-256', s.comment));
  return `${lines.join('\n')}\n`;
}
