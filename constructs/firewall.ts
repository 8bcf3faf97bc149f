/**
 * The Proxmox firewall, compiled from `Connections`: the datacenter switch with policy DROP in /
 * ACCEPT out, cluster IP sets and security groups, and per guest its options (input DROP) and
 * rules. Rules are produced lazily at synth time, so every `allowFrom` made after a guest was
 * created still lands in its rules.
 */
import { dependable, ITerraformDependable, Lazy, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { pve } from '../providers/proxmox';
import { Connections, IManagedPeer, IngressRule, ISecurityGroup } from './connections';
import { Peer } from '../model';

type GuestRule = pve.virtualEnvironmentFirewallRules.VirtualEnvironmentFirewallRulesRule;

export type FirewallPolicy = 'ACCEPT' | 'DROP' | 'REJECT';

export interface ClusterFirewallProps {
  /** Inbound policy for everything no rule accepts. @default 'DROP' — only declared flows get through */
  readonly inputPolicy?: FirewallPolicy;
  /** @default 'ACCEPT' */
  readonly outputPolicy?: FirewallPolicy;
}

/**
 * The datacenter firewall switch. Proxmox ships it off, and while it is off no guest or host rule
 * is applied at all, so pvestack always turns it on.
 */
export class ClusterFirewall extends Construct {
  readonly resource: pve.virtualEnvironmentClusterFirewall.VirtualEnvironmentClusterFirewall;

  constructor(scope: Construct, id: string, props: ClusterFirewallProps = {}) {
    super(scope, id);
    this.resource = new pve.virtualEnvironmentClusterFirewall.VirtualEnvironmentClusterFirewall(this, 'Resource', {
      enabled: true,
      inputPolicy: props.inputPolicy ?? 'DROP',
      outputPolicy: props.outputPolicy ?? 'ACCEPT',
    });
  }
}

export interface IpSetEntry {
  /** An address or CIDR. */
  readonly cidr: string;
  readonly comment?: string;
}

export interface FirewallIpSetProps {
  /** Cluster-wide name, referenced in rules as `+name`. */
  readonly name: string;
  readonly entries: readonly IpSetEntry[];
  readonly comment?: string;
}

/**
 * A cluster IP set; use `.peer` as a rule source. Its member list is ForceNew in the provider
 * (`cidr` in proxmoxtf/resource/firewall/ipset.go, v0.111.1): any change destroys the set and
 * creates it again, and rules naming `+name` match nothing in between. So sets hold only what
 * changes rarely and on purpose (the admin networks); guests of a role are never put in a set
 * (see `EnvironmentFirewall`), and `pvestack diff` flags a set that is replaced.
 */
export class FirewallIpSet extends Construct {
  readonly resource: pve.virtualEnvironmentFirewallIpset.VirtualEnvironmentFirewallIpset;
  /** The set as a traffic source (`+name`); rules naming it depend on `resource`. */
  readonly peer: IManagedPeer;

  constructor(scope: Construct, id: string, props: FirewallIpSetProps) {
    super(scope, id);
    this.resource = new pve.virtualEnvironmentFirewallIpset.VirtualEnvironmentFirewallIpset(this, 'Resource', {
      name: props.name,
      ...(props.comment ? { comment: props.comment } : {}),
      cidr: props.entries.map((e) => ({ name: e.cidr, ...(e.comment ? { comment: e.comment } : {}) })),
    });
    this.peer = { ...Peer.ipSet(props.name), dependency: this.resource };
  }
}

/**
 * Makes `resource` depend, at synth time, on `fixed` plus whatever the connections' rules name
 * (IP sets, security groups). Rules are rendered lazily, so their dependencies must be too;
 * without them Terraform may create a rule list before the set it names ("no such ipset").
 */
function dependOnNamedObjects(resource: TerraformResource, fixed: readonly ITerraformDependable[], connections: Connections): void {
  const all = () => [...new Set([...fixed, ...connections.dependencies])];
  resource.dependsOn = Lazy.listValue({ produce: () => all().map((d) => dependable(d)) }, { omitEmpty: true });
}

export interface SecurityGroupProps {
  /** Cluster-wide group name: a letter, then 1-17 letters, digits, `_` or `-`. */
  readonly groupName: string;
  readonly comment?: string;
}

/** A cluster security group: a named rule list guests include with `connections.addSecurityGroup`. */
export class SecurityGroup extends Construct implements ISecurityGroup {
  readonly resource: pve.virtualEnvironmentClusterFirewallSecurityGroup.VirtualEnvironmentClusterFirewallSecurityGroup;
  readonly groupName: string;
  /** The group resource: guest rule lists that include the group depend on it. */
  readonly dependency: ITerraformDependable;
  /** Inbound flows the group accepts. */
  readonly connections = new Connections();

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    if (!/^[A-Za-z][A-Za-z0-9_-]{1,17}$/.test(props.groupName))
      throw new RangeError(`security group name ${JSON.stringify(props.groupName)} is not valid; use 2-18 characters: a letter, then letters, digits, _ or -`);
    this.groupName = props.groupName;
    this.resource = new pve.virtualEnvironmentClusterFirewallSecurityGroup.VirtualEnvironmentClusterFirewallSecurityGroup(this, 'Resource', {
      name: props.groupName,
      ...(props.comment ? { comment: props.comment } : {}),
      rule: Lazy.anyValue({
        produce: () =>
          this.connections.ingressRules.map((r) =>
            pve.virtualEnvironmentClusterFirewallSecurityGroup.virtualEnvironmentClusterFirewallSecurityGroupRuleToTerraform(ingressRule(r)),
          ),
      }),
    });
    this.dependency = this.resource;
    dependOnNamedObjects(this.resource, [], this.connections);
  }
}

export interface GuestFirewallProps {
  readonly nodeName: string;
  /** The guest's VM id (a literal, or the guest resource's `vmId` token when Proxmox assigns it). */
  readonly vmId: number;
  /** Whether the guest is a VM or a container: the API paths differ. */
  readonly kind: 'vm' | 'lxc';
  /** The intent to render. */
  readonly connections: Connections;
  /** Resources the firewall must wait for (the guest itself). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A guest's firewall: options (on, input DROP, output ACCEPT, MAC filter) and one rule per
 * allowed flow plus a `GROUP` line per security group. The NICs must have `firewall = true` for
 * any of it to apply; the guest constructs always set it.
 */
export class GuestFirewall extends Construct {
  readonly options: pve.virtualEnvironmentFirewallOptions.VirtualEnvironmentFirewallOptions;
  readonly rules: pve.virtualEnvironmentFirewallRules.VirtualEnvironmentFirewallRules;

  constructor(scope: Construct, id: string, props: GuestFirewallProps) {
    super(scope, id);
    const target = props.kind === 'vm' ? { vmId: props.vmId } : { containerId: props.vmId };
    const dependsOn = props.dependsOn && props.dependsOn.length > 0 ? { dependsOn: [...props.dependsOn] } : {};
    this.options = new pve.virtualEnvironmentFirewallOptions.VirtualEnvironmentFirewallOptions(this, 'Options', {
      nodeName: props.nodeName,
      ...target,
      enabled: true,
      inputPolicy: 'DROP',
      outputPolicy: 'ACCEPT',
      macfilter: true,
      dhcp: false,
      ...dependsOn,
    });
    // The rule list updates in place when flows come and go (RulesUpdate in
    // proxmoxtf/resource/firewall/rules.go creates new rules before it deletes old ones), so
    // adding a guest to a role never interrupts the flows already allowed.
    this.rules = new pve.virtualEnvironmentFirewallRules.VirtualEnvironmentFirewallRules(this, 'Rules', {
      nodeName: props.nodeName,
      ...target,
      rule: Lazy.anyValue({
        produce: () => guestRules(props.connections).map(pve.virtualEnvironmentFirewallRules.virtualEnvironmentFirewallRulesRuleToTerraform),
      }),
    });
    dependOnNamedObjects(this.rules, props.dependsOn ?? [], props.connections);
  }
}

/** The rule list of a guest: security groups first, then its own flows in a stable order. */
export function guestRules(connections: Connections): GuestRule[] {
  const groups: GuestRule[] = connections.securityGroups.map((g) => ({ securityGroup: g.groupName, comment: `security group ${g.groupName}` }));
  const own = [...connections.ingressRules].sort(compareRules).map(ingressRule);
  return [...groups, ...own];
}

function ingressRule(r: IngressRule): GuestRule {
  return {
    type: 'in',
    action: 'ACCEPT',
    proto: r.port.protocol,
    dport: r.port.toProxmoxDport(),
    ...(r.peer.ruleSource !== undefined ? { source: r.peer.ruleSource } : {}),
    ...(r.description ? { comment: r.description } : {}),
  };
}

function compareRules(a: IngressRule, b: IngressRule): number {
  return a.port.fromPort - b.port.fromPort || a.port.protocol.localeCompare(b.port.protocol) || a.peer.peerId.localeCompare(b.peer.peerId);
}
