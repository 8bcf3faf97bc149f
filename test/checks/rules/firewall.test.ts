import { describe, expect, it } from 'vitest';
import { FIREWALL_RULES } from '../../../checks/rules';
import { type Draft, env, findings } from '../fixtures';

const connect = (from: string, to: string, ports: string) => (s: Draft) => s.connections.push({ from, to, ports });

describe('firewall rules', () => {
  it('the base fixture (internet → proxy 80/443 only) has no firewall findings', () => {
    const e = env();
    for (const rule of FIREWALL_RULES) expect(findings(e, rule.id)).toEqual([]);
  });

  it.each<[string, string, (s: Draft) => void, string, string]>([
    [
      'an app port open to the internet',
      'PVE-FW-001',
      connect('internet', 'web', 'tcp/3000'),
      'connections[4]',
      'web (role web) is reachable from the internet on tcp/3000',
    ],
    [
      '0.0.0.0/0 counts as the internet',
      'PVE-FW-001',
      connect('cidr:0.0.0.0/0', 'web', 'tcp/3000'),
      'connections[4]',
      'reachable from cidr:0.0.0.0/0 on tcp/3000',
    ],
    [
      'PostgreSQL public on its port',
      'PVE-FW-002',
      connect('internet', 'db', 'tcp/5432'),
      'connections[4]',
      'db tcp/5432 is reachable from the internet (tcp/5432 in connections[4]): postgres listens there',
    ],
    [
      'PostgreSQL public on a non-standard port',
      'PVE-FW-002',
      (s) => {
        s.guests[2].stacks[0].port = 15432;
        s.connections[2].ports = 'tcp/15432';
        s.connections.push({ from: 'internet', to: 'db', ports: 'tcp/15432' });
      },
      'connections[4]',
      'db tcp/15432 is reachable from the internet (tcp/15432 in connections[4]): postgres listens there',
    ],
    [
      'the Docker API',
      'PVE-FW-002',
      connect('internet', 'web', 'tcp/2375'),
      'connections[4]',
      'web tcp/2375 is reachable from the internet (tcp/2375 in connections[4]): Docker API (plain)',
    ],
    [
      'a wide range covering the model server',
      'PVE-FW-002',
      connect('internet', 'llm', 'tcp/7000-9000'),
      'connections[4]',
      'llm tcp/8000 is reachable from the internet (tcp/7000-9000 in connections[4]): vllm listens there',
    ],
    [
      'SSH open to the world',
      'PVE-FW-003',
      connect('internet', 'web', 'tcp/22'),
      'connections[4]',
      'SSH 22 on web reachable from the internet (tcp/22 in connections[4]); allowed only from admin (198.51.100.0/24)',
    ],
    [
      'the Proxmox UI from a non-admin network',
      'PVE-FW-003',
      connect('cidr:203.0.113.0/24', 'proxy', 'tcp/8006'),
      'connections[4]',
      'Proxmox UI 8006 on proxy reachable from cidr:203.0.113.0/24',
    ],
    ['SSH from another guest that is not the bastion', 'PVE-FW-003', connect('web', 'db', 'tcp/22'), 'connections[4]', 'SSH 22 on db reachable from web'],
    [
      'a port nothing listens on',
      'PVE-FW-004',
      connect('web', 'db', 'tcp/5433'),
      'connections[4]',
      'connections[4] opens tcp/5433 on db from web, but no stack on db listens there (listening: tcp/5432 (postgres))',
    ],
    [
      'two services on one port',
      'PVE-FW-005',
      (s) => s.guests[1].stacks.push({ kind: 'monitoring', grafanaAdminSecret: 'session-secret' }),
      'guests[1].stacks',
      'web: nextjs/nextjs and monitoring/grafana all listen on tcp/3000',
    ],
  ])('%s → %s', (_name, rule, edit, path, text) => {
    const found = findings(env(edit), rule);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(path);
    expect(found[0]!.message).toContain(text);
  });

  it.each<[string, (s: Draft) => void]>([
    ['SSH from a network inside admin.cidrs', connect('cidr:198.51.100.0/25', 'web', 'tcp/22')],
    ['SSH from the bastion', (s) => ((s.admin.bastion = 'proxy'), s.connections.push({ from: 'proxy', to: 'db', ports: 'tcp/22' }))],
    [
      'a web guest that terminates TLS itself (nginx-proxy stack)',
      (s) => (
        s.guests[1].stacks.push({ kind: 'nginx-proxy', serverName: 'x.example.org', upstreams: ['web'] }),
        s.connections.push({ from: 'internet', to: 'web', ports: ['tcp/80', 'tcp/443'] })
      ),
    ],
    ['SMTP on a mail guest', (s) => ((s.guests[1].role = 'mail'), s.connections.push({ from: 'internet', to: 'web', ports: 'tcp/25' }))],
  ])('allowed: %s', (_name, edit) => {
    const e = env(edit);
    for (const rule of ['PVE-FW-001', 'PVE-FW-002', 'PVE-FW-003']) expect(findings(e, rule)).toEqual([]);
  });

  it('a public database is reported once, by the specific rule', () => {
    const e = env(connect('internet', 'db', 'tcp/5432'));
    expect(findings(e, 'PVE-FW-001')).toEqual([]);
    expect(findings(e, 'PVE-FW-002')).toHaveLength(1);
  });
});
