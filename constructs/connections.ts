/**
 * Firewall intent in the AWS CDK sense: `db.connections.allowFrom(web, Port.tcp(5432))`. A
 * `Connections` object records who may reach its owner; `GuestFirewall` renders the records into
 * Proxmox rules at synth time, so rules are written once, from intent.
 */
import type { ITerraformDependable } from 'cdktf';
import type { IPeer, Port } from '../model';

/**
 * A traffic source backed by a resource of this stack (an IP set behind `+name`): rules naming it
 * depend on that resource. Proxmox refuses a rule whose source names a set it does not know
 * (pve-firewall `src/PVE/Firewall.pm`, "no such ipset"), and nothing else orders the two.
 */
export interface IManagedPeer extends IPeer {
  readonly dependency: ITerraformDependable;
}

/** Anything with firewall intent: guests and security groups. */
export interface IConnectable {
  readonly connections: Connections;
}

/** A cluster security group a guest's firewall can include (`GROUP <name>`). */
export interface ISecurityGroup extends IConnectable {
  /** Cluster-wide group name (2-18 characters). */
  readonly groupName: string;
  /** The resource that creates the group, when this stack manages it: rule lists naming it depend on it. */
  readonly dependency?: ITerraformDependable;
}

/** One allowed inbound flow. */
export interface IngressRule {
  readonly peer: IPeer;
  readonly port: Port;
  readonly description?: string;
}

/** One allowed outbound flow, recorded for reports (outbound traffic is accepted by policy). */
export interface EgressRule {
  readonly peer: IPeer;
  readonly port: Port;
  readonly description?: string;
}

export interface ConnectionsProps {
  /** How others name this endpoint as a source, e.g. `Peer.host('10.20.0.11')`. @default none: the owner cannot be used as a source */
  readonly peer?: IPeer;
}

/** The firewall intent of one endpoint. */
export class Connections {
  private readonly _ingress: IngressRule[] = [];
  private readonly _egress: EgressRule[] = [];
  private readonly _groups: ISecurityGroup[] = [];
  /** This endpoint as a traffic source, when it has an address. */
  readonly peer?: IPeer;

  constructor(props: ConnectionsProps = {}) {
    if (props.peer) this.peer = props.peer;
  }

  /**
   * Allows `other` to reach this endpoint on `port`. When `other` is connectable, its side of the
   * flow is recorded as well (AWS CDK writes both sides of a flow).
   */
  allowFrom(other: IConnectable | IPeer, port: Port, description?: string): void {
    const peer = peerOf(other);
    this.addIngress({ peer, port, ...(description ? { description } : {}) });
    if (isConnectable(other) && this.peer) other.connections.addEgress({ peer: this.peer, port, ...(description ? { description } : {}) });
  }

  /** Allows this endpoint to reach `other` on `port`: the same flow seen from the source. */
  allowTo(other: IConnectable, port: Port, description?: string): void {
    other.connections.allowFrom(this.asConnectable(), port, description);
  }

  /** Opens `port` to every IPv4 address. */
  allowFromAnyIpv4(port: Port, description?: string): void {
    this.addIngress({ peer: { peerId: 'any-ipv4', ruleSource: undefined }, port, ...(description ? { description } : {}) });
  }

  /** Includes a cluster security group's rules in this endpoint's firewall. */
  addSecurityGroup(group: ISecurityGroup): void {
    if (!this._groups.includes(group)) this._groups.push(group);
  }

  get ingressRules(): readonly IngressRule[] {
    return this._ingress;
  }
  get egressRules(): readonly EgressRule[] {
    return this._egress;
  }
  get securityGroups(): readonly ISecurityGroup[] {
    return this._groups;
  }
  /**
   * The resources this endpoint's rules name and that must exist first: IP sets of its sources
   * and the security groups it includes, each once, in the order they were first used.
   */
  get dependencies(): readonly ITerraformDependable[] {
    const all = [...this._groups.map((g) => g.dependency), ...this._ingress.map((r) => (r.peer as Partial<IManagedPeer>).dependency)];
    return [...new Set(all.filter((d): d is ITerraformDependable => d !== undefined))];
  }

  private addIngress(rule: IngressRule): void {
    if (!this._ingress.some((r) => sameFlow(r, rule))) this._ingress.push(rule);
  }
  private addEgress(rule: EgressRule): void {
    if (!this._egress.some((r) => sameFlow(r, rule))) this._egress.push(rule);
  }
  private asConnectable(): IConnectable {
    return { connections: this };
  }
}

function isConnectable(x: IConnectable | IPeer): x is IConnectable {
  return (x as IConnectable).connections instanceof Connections;
}

function peerOf(other: IConnectable | IPeer): IPeer {
  if (!isConnectable(other)) return other;
  if (!other.connections.peer) throw new Error('allowFrom: the source has no address to write into a firewall rule; give its Connections a peer');
  return other.connections.peer;
}

function sameFlow(a: IngressRule, b: IngressRule): boolean {
  return a.peer.peerId === b.peer.peerId && a.port.toString() === b.port.toString();
}
