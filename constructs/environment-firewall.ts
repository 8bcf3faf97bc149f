/**
 * The firewall of a whole environment: the datacenter switch, the cluster IP sets (`admin`,
 * `management` for the Proxmox hosts) and the `ssh-admin` security group, plus `applyFlows()`,
 * which turns the reachability matrix into `connections.allowFrom(...)` calls on the guests.
 * `model/reachability.ts` stays the single expansion of intent; this file only decides how each
 * flow is written.
 *
 * Sources named by role (`from: role:web`) are written as one rule per member address, not as a
 * `+role-web` IP set: the provider replaces an IP set whenever its member list changes (`cidr` is
 * ForceNew in proxmoxtf/resource/firewall/ipset.go, v0.111.1), so adding a web guest would delete
 * the set every rule of the other web guests points at and traffic would stop until it is back.
 * A guest's rule list instead updates in place, new rules first (`RulesUpdate` in
 * proxmoxtf/resource/firewall/rules.go), so a new member only adds rules.
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

export interface EnvironmentFirewallProps {
  readonly env: Environment;
}

/** Cluster-level firewall objects of an environment. */
export class EnvironmentFirewall extends Construct {
  readonly cluster: ClusterFirewall;
  readonly admin: FirewallIpSet;
  readonly management: FirewallIpSet;
  readonly sshGroup: SecurityGroup;
  private readonly env: Environment;

  constructor(scope: Construct, id: string, props: EnvironmentFirewallProps) {
    super(scope, id);
    const { env } = props;
    this.env = env;
    this.cluster = new ClusterFirewall(this, 'Cluster');
    const adminEntries = env.admin.cidrs.map((cidr) => ({ cidr, comment: 'admin network' }));
    this.admin = new FirewallIpSet(this, 'AdminIpSet', {
      name: ADMIN_IPSET,
      entries: adminEntries,
      comment: 'Admin networks (VPN, office), managed by pvestack',
    });
    this.management = new FirewallIpSet(this, 'ManagementIpSet', {
      name: MANAGEMENT_IPSET,
      entries: adminEntries,
      comment: 'Proxmox host SSH and web UI access, managed by pvestack',
    });
    this.sshGroup = new SecurityGroup(this, 'SshGroup', { groupName: SSH_SECURITY_GROUP, comment: 'SSH from the admin networks and the bastion' });
    this.sshGroup.connections.allowFrom(this.admin.peer, Port.tcp(SSH_PORT), 'SSH from the admin networks');
    const bastion = env.admin.bastion ? env.guests.find((g) => g.name === env.admin.bastion) : undefined;
    if (bastion) this.sshGroup.connections.allowFrom(Peer.host(bastion.ipv4), Port.tcp(SSH_PORT), 'SSH from the bastion');
  }

  /**
   * Writes every enforceable flow into the connections of its target guest. Management SSH on
   * port 22 becomes the `ssh-admin` group; a source guest (also one the intent named by role)
   * becomes a rule for its address; flows to hosts (`node:*`) are covered by the `management`
   * set; flows to external hosts cannot be enforced and are skipped.
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
    return guests.get(source.name) ?? Peer.host(source.ipv4);
  }
}
