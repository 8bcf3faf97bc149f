import { TerraformStack, Testing } from 'cdktf';
import { testingApp } from '../support/testing-app';
import { describe, expect, it } from 'vitest';
import { Connections, GuestFirewall, Peer, Port, SecurityGroup } from '../../constructs';
import type { Environment, Flow, Proto } from '../../model';
import { flowKey, isReachable, parseFlowSource, parseFlowTarget, reachability } from '../../model';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import { fixtureEnv, resourceAt, resourcesOf, synthEnv, TfJson } from './fixture';

describe('Port', () => {
  it.each([
    [Port.tcp(5432), 'tcp/5432', '5432'],
    [Port.udp(53), 'udp/53', '53'],
    [Port.tcpRange(8000, 8010), 'tcp/8000-8010', '8000:8010'],
    [Port.parse('tcp/8000-8010'), 'tcp/8000-8010', '8000:8010'],
  ])('%s renders as %s / dport %s', (port, text, dport) => {
    expect(port.toString()).toBe(text);
    expect(port.toProxmoxDport()).toBe(dport);
  });

  it.each([
    [() => Port.tcp(0), /out of range/],
    [() => Port.tcp(70000), /out of range/],
    [() => Port.tcpRange(9000, 8000), /reversed/],
    [() => Port.parse('5432'), /write tcp\/5432/],
  ])('rejects bad input (%#)', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('Peer', () => {
  it('renders each kind of source', () => {
    expect(Peer.anyIpv4().ruleSource).toBeUndefined();
    expect(Peer.cidr('198.51.100.0/24').ruleSource).toBe('198.51.100.0/24');
    expect(Peer.cidr('10.0.0.5/32').ruleSource).toBe('10.0.0.5');
    expect(Peer.ipSet('admin').ruleSource).toBe('+admin');
  });

  it('rejects malformed input', () => {
    expect(() => Peer.cidr('10.0.0.5/24')).toThrow(/zero host bits/);
    expect(() => Peer.ipSet('1bad')).toThrow(/IP set name/);
  });
});

describe('Connections', () => {
  it('writes both sides of a flow and renders the ingress side as rules', () => {
    // GIVEN a database and a web endpoint and a security group
    const stack = new TerraformStack(testingApp(), 'test');
    const db = { connections: new Connections({ peer: Peer.host('10.0.0.20') }) };
    const web = { connections: new Connections({ peer: Peer.host('10.0.0.11') }) };
    const ssh = new SecurityGroup(stack, 'Ssh', { groupName: 'ssh-admin' });
    ssh.connections.allowFrom(Peer.ipSet('admin'), Port.tcp(22));
    new GuestFirewall(stack, 'DbFirewall', { nodeName: 'pve1', vmId: 120, kind: 'vm', connections: db.connections });
    // WHEN intent is declared after the firewall construct exists
    db.connections.allowFrom(web, Port.tcp(5432), 'app database');
    db.connections.allowFrom(web, Port.tcp(5432), 'app database');
    web.connections.allowTo(db, Port.tcp(6432));
    db.connections.allowFromAnyIpv4(Port.tcp(443));
    db.connections.addSecurityGroup(ssh);
    // THEN both sides are recorded, once, and the rules come out in a stable order
    expect(web.connections.egressRules.map((r) => r.port.toString())).toEqual(['tcp/5432', 'tcp/6432']);
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(resourceAt(tf, 'proxmox_virtual_environment_firewall_rules', 'DbFirewall_Rules')).toMatchObject({
      node_name: 'pve1',
      vm_id: 120,
      rule: [
        { security_group: 'ssh-admin' },
        { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '443' },
        { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '5432', source: '10.0.0.11', comment: 'app database' },
        { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '6432', source: '10.0.0.11' },
      ],
    });
    expect(resourceAt(tf, 'proxmox_virtual_environment_firewall_options', 'DbFirewall_Options')).toMatchObject({
      enabled: true,
      input_policy: 'DROP',
      output_policy: 'ACCEPT',
      vm_id: 120,
    });
    expect(resourceAt(tf, 'proxmox_virtual_environment_cluster_firewall_security_group', 'Ssh').rule).toEqual([
      { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', source: '+admin' },
    ]);
  });

  it('uses container_id for containers', () => {
    const stack = new TerraformStack(testingApp(), 'test');
    new GuestFirewall(stack, 'Ct', { nodeName: 'pve1', vmId: 300, kind: 'lxc', connections: new Connections() });
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(resourceAt(tf, 'proxmox_virtual_environment_firewall_options', 'Ct_Options')).toMatchObject({ container_id: 300 });
    expect(resourceAt(tf, 'proxmox_virtual_environment_firewall_options', 'Ct_Options')).not.toHaveProperty('vm_id');
  });
});

/** Reads the synthesized firewall back into flows, the way Proxmox would evaluate it. */
function compiledFlows(env: Environment, tf: TfJson): Set<string> {
  const ipsets = new Map(
    resourcesOf(tf, 'proxmox_virtual_environment_firewall_ipset').map((s) => [s.name as string, (s.cidr as { name: string }[]).map((c) => c.name)]),
  );
  const groups = new Map(resourcesOf(tf, 'proxmox_virtual_environment_cluster_firewall_security_group').map((g) => [g.name as string, g.rule as Rule[]]));
  const byIp = new Map(env.guests.map((g) => [g.ipv4, g.name]));
  const byId = new Map<unknown, string>(env.guests.map((g) => [g.vmId, g.name]));
  // A guest without a vmId in the spec is referenced through its resource: `${<type>.<id>.vm_id}`.
  for (const type of ['proxmox_virtual_environment_vm', 'proxmox_virtual_environment_container'])
    for (const [id, r] of Object.entries(tf.resource[type] ?? {}))
      byId.set(`\${${type}.${id}.vm_id}`, (r.name ?? (r.initialization as { hostname: string }).hostname) as string);
  const flows = new Set<string>();
  const sourcesOf = (source: string | undefined): string[] => {
    if (source === undefined) return ['internet'];
    if (source === '+admin') return ['admin'];
    if (source.startsWith('+'))
      return ipsets.has(source.slice(1)) ? ipsets.get(source.slice(1))!.map((ip) => byIp.get(ip) ?? `cidr:${ip}`) : [`ipset:${source.slice(1)}`];
    return [byIp.get(source) ?? `cidr:${source}`];
  };
  for (const res of resourcesOf(tf, 'proxmox_virtual_environment_firewall_rules')) {
    const to = byId.get(res.vm_id ?? res.container_id)!;
    const rules = (res.rule as Rule[]).flatMap((r) => (r.security_group ? groups.get(r.security_group)! : [r]));
    for (const r of rules) {
      expect(r).toMatchObject({ type: 'in', action: 'ACCEPT' });
      // A guest's traffic to itself never crosses its own NIC firewall.
      for (const from of sourcesOf(r.source)) if (from !== to) flows.add(`${from}|${to}|${r.proto}|${r.dport!.replace(':', '-')}`);
    }
  }
  // With the datacenter firewall on, Proxmox opens SSH and the web UI of every host to the `management` set.
  if (env.admin.cidrs.every((c) => ipsets.get('management')?.includes(c)))
    for (const n of env.cluster.nodes) for (const port of ['22', '8006']) flows.add(`admin|node:${n.name}|tcp|${port}`);
  return flows;
}

interface Rule {
  readonly type?: string;
  readonly action?: string;
  readonly source?: string;
  readonly proto?: string;
  readonly dport?: string;
  readonly security_group?: string;
}

const withNodes = environmentNames().filter((name) => loadEnvironment(name).cluster.nodes.length > 0);

describe('environment firewall', () => {
  it.each(withNodes)('%s: compiled rules allow exactly the enforceable reachability flows', (name) => {
    const env = loadEnvironment(name);
    const expected = new Set(
      reachability(env)
        .filter((f) => f.enforced)
        .map(flowKey),
    );
    expect([...compiledFlows(env, synthEnv(env))].sort()).toEqual([...expected].sort());
  });

  it('fixture: cidr sources, role sets and ranges round-trip too', () => {
    const env = fixtureEnv();
    const expected = new Set(
      reachability(env)
        .filter((f) => f.enforced)
        .map(flowKey),
    );
    expect([...compiledFlows(env, synthEnv(env))].sort()).toEqual([...expected].sort());
  });

  it('turns the datacenter firewall on with input DROP and every guest firewall on', () => {
    const tf = synthEnv(loadEnvironment('production'));
    expect(resourcesOf(tf, 'proxmox_virtual_environment_cluster_firewall')).toEqual([{ enabled: true, input_policy: 'DROP', output_policy: 'ACCEPT' }]);
    const options = resourcesOf(tf, 'proxmox_virtual_environment_firewall_options');
    expect(options).toHaveLength(9);
    for (const o of options) expect(o).toMatchObject({ enabled: true, input_policy: 'DROP', output_policy: 'ACCEPT' });
    expect(resourcesOf(tf, 'proxmox_virtual_environment_firewall_ipset')).toContainEqual(
      expect.objectContaining({ name: 'admin', cidr: [expect.objectContaining({ name: '198.51.100.0/24' })] }),
    );
  });

  describe('production reachability matrix, read from the compiled rules', () => {
    const env = loadEnvironment('production');
    const flows = [...compiledFlows(env, synthEnv(env))].map((k) => {
      const [from, to, proto, port] = k.split('|') as [string, string, Proto, string];
      return {
        from: parseFlowSource(from),
        to: parseFlowTarget(to),
        port: Port.parse(`${proto}/${port}`),
        origin: 'connection' as const,
        enforced: true,
      } satisfies Flow;
    });
    it.each<[string, string, number, boolean]>([
      ['internet', 'proxy', 443, true],
      ['internet', 'proxy', 80, true],
      ['internet', 'proxy', 22, false],
      ['internet', 'db', 5432, false],
      ['internet', 'web-1', 3000, false],
      ['internet', 'llm', 8000, false],
      ['proxy', 'web-1', 3000, true],
      ['proxy', 'web-2', 3000, true],
      ['web-1', 'db', 5432, true],
      ['web-2', 'db', 5432, true],
      ['workers', 'db', 5432, true],
      ['ml', 'db', 5432, false],
      ['proxy', 'db', 5432, false],
      ['web-1', 'cache', 6379, true],
      ['ml', 'cache', 6379, true],
      ['web-1', 'llm', 8000, true],
      ['workers', 'llm', 8000, true],
      ['monitoring', 'llm', 8000, true],
      ['web-1', 'llm', 22, false],
      ['workers', 'ml', 8001, true],
      ['web-1', 'ml', 8001, false],
      ['admin', 'llm', 22, true],
      ['admin', 'db', 22, true],
      ['admin', 'db', 5432, false],
      ['admin', 'node:pve1', 8006, true],
      ['internet', 'node:pve1', 8006, false],
    ])('%s -> %s:%i allowed=%s', (from, to, port, allowed) => {
      expect(isReachable(flows, from, to, 'tcp', port)).toBe(allowed);
    });
  });

  it('synthesizes the fixture firewall as snapshotted', () => {
    const tf = synthEnv(fixtureEnv());
    const types = Object.keys(tf.resource).filter((t) => t.includes('firewall'));
    expect(Object.fromEntries(types.map((t) => [t, tf.resource[t]]))).toMatchSnapshot();
  });
});
