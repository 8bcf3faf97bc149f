/**
 * The firewall of a whole environment: the datacenter switch, the cluster IP sets (`admin`,
 * `management` for the Proxmox hosts, one `role-<role>` set per role named in the intent) and the
 * `ssh-admin` security group, plus `applyFlows()`, which turns the reachability matrix into
 * `connections.allowFrom(...)` calls on the guests. `model/reachability.ts` stays the single
 * expansion of intent; this file only decides how each flow is written.
 */
import { Construct } from 'constructs';
import type { Environment, Flow } from '../model';
import { IPeer, Peer, Port, SSH_PORT } from '../model';
import type { IConnectable } from './connections';
import { ClusterFirewall, FirewallIpSet, SecurityGroup } from './firewall';

/** IP set with the admins' networks; guests accept management SSH from it. */
export const ADMIN_IPSET = 'admin';
/** Proxmox's special IP set for host access (SSH 22, web UI 8006) once the datacenter firewall is on. */
export const MANAGEMENT_IPSET = 'management';
/** Security group every guest with SSH on 22 includes: SSH from the admin set and the bastion. */
export const SSH_SECURITY_GROUP = 'ssh-admin';

/** Name of the IP set holding the addresses of every guest with `role`. */
export function roleIpSetName(role: string): string {
  return `role-${role}`;
}

export interface EnvironmentFirewallProps {
  readonly env: Environment;
}

/** Cluster-level firewall objects of an environment. */
export class EnvironmentFirewall extends Construct {
  readonly cluster: ClusterFirewall;
  readonly admin: FirewallIpSet;
  readonly management: FirewallIpSet;
  readonly sshGroup: SecurityGroup;
  private readonly roleSets = new Map<string, FirewallIpSet>();
  private readonly env: Environment;

  constructor(scope: Construct, id: string, props: EnvironmentFirewallProps) {
    super(scope, id);
    const { env } = props;
    this.env = env;
    this.cluster = new ClusterFirewall(this, 'Cluster');
    const adminEntries = env.admin.cidrs.map((cidr) => ({ cidr, comment: 'admin network' }));
    this.admin = new FirewallIpSet(this, 'AdminIpSet', { name: ADMIN_IPSET, entries: adminEntries, comment: 'Admin networks (VPN, office), managed by pvestack' });
    this.management = new FirewallIpSet(this, 'ManagementIpSet', { name: MANAGEMENT_IPSET, entries: adminEntries, comment: 'Proxmox host SSH and web UI access, managed by pvestack' });
    this.sshGroup = new SecurityGroup(this, 'SshGroup', { groupName: SSH_SECURITY_GROUP, comment: 'SSH from the admin networks and the bastion' });
    this.sshGroup.connections.allowFrom(this.admin.peer, Port.tcp(SSH_PORT), 'SSH from the admin networks');
    const bastion = env.admin.bastion ? env.guests.find((g) => g.name === env.admin.bastion) : undefined;
    if (bastion) this.sshGroup.connections.allowFrom(Peer.host(bastion.ipv4), Port.tcp(SSH_PORT), 'SSH from the bastion');
  }

  /**
   * Writes every enforceable flow into the connections of its target guest. Management SSH on
   * port 22 becomes the `ssh-admin` group; sources the intent named by role become that role's
   * IP set; flows to hosts (`node:*`) are covered by the `management` set; flows to external
   * hosts cannot be enforced and are skipped.
   */
  applyFlows(flows: readonly Flow[], guests: ReadonlyMap<string, IConnectable>): void {
    for (const flow of flows) {
      const target = flow.to.kind === 'guest' ? guests.get(flow.to.name) : undefined;
      if (!target || !flow.enforced) continue;
      const port = flow.port;
      if (flow.origin === 'management' && port.equals(Port.tcp(SSH_PORT))) {
        target.connections.addSecurityGroup(this.sshGroup);
        continue;
      }
      const peer = this.sourceOf(flow, guests);
      if (peer === 'internet') target.connections.allowFromAnyIpv4(port, flow.description);
      else target.connections.allowFrom(peer, port, flow.description);
    }
  }

  private sourceOf(flow: Flow, guests: ReadonlyMap<string, IConnectable>): IPeer | IConnectable | 'internet' {
    const from = flow.from;
    switch (from.kind) {
      case 'internet':
        return 'internet';
      case 'admin':
        return this.admin.peer;
      case 'cidr':
        return Peer.cidr(from.cidr);
      case 'ipset':
        return Peer.ipSet(from.name);
    }
    const source = this.env.guests.find((g) => g.name === from.name)!;
    const declared = flow.connection !== undefined ? this.env.connections[flow.connection]!.from : [];
    if (declared.includes(`role:${source.role}`)) return this.roleSet(source.role).peer;
    return guests.get(source.name) ?? Peer.host(source.ipv4);
  }

  private roleSet(role: string): FirewallIpSet {
    let set = this.roleSets.get(role);
    if (!set) {
      const members = this.env.guests.filter((g) => g.role === role).map((g) => ({ cidr: g.ipv4, comment: g.name }));
      set = new FirewallIpSet(this, `RoleIpSet-${role}`, { name: roleIpSetName(role), entries: members, comment: `Guests with role ${role}, managed by pvestack` });
      this.roleSets.set(role, set);
    }
    return set;
  }
}
