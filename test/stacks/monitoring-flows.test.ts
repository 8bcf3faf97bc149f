/**
 * Prometheus can reach what it is told to scrape, and nothing else is opened for it: for every
 * registered environment that runs monitoring and synthesizes, each scrape target of each rendered
 * prometheus.yml on another guest has an ACCEPT rule from the monitoring guest's address in that
 * guest's synthesized firewall rules (input policy DROP otherwise), and no rule opens an exporter
 * port to any other source.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffFlows } from '../../diff/security';
import { nodeId, topology } from '../../graph/topology';
import type { Environment, EnvironmentSpec, Guest, GuestSpec } from '../../model';
import { Cidr, gpusOf, metricsEndpoints, monitoringTargets, reachability, validateEnvironment } from '../../model';
import { environmentNames, loadEnvironment, registeredSpec } from '../../stacks/registry';
import { renderGuest } from '../../templates/render';
import { synthEnv, type TfJson } from '../constructs/fixture';

interface Rule {
  readonly type?: string;
  readonly action?: string;
  readonly proto?: string;
  readonly dport?: string;
  readonly source?: string;
  readonly security_group?: string;
}

/** Environments with a monitoring stack whose output synthesizes (some `*-as-planned` ones do not, on purpose). */
const withMonitoring = environmentNames({ includeBroken: true }).filter((name) => {
  const env = loadEnvironment(name);
  if (!env.guests.some((g) => g.stacks.some((s) => s.kind === 'monitoring'))) return false;
  try {
    synthEnv(env);
    return true;
  } catch {
    return false;
  }
});

/** The `ip:port` targets of the prometheus.yml rendered for a monitoring guest. */
function scrapeTargets(env: Environment, monitor: Guest): string[] {
  const file = renderGuest(env, monitor)
    .flatMap((s) => s.files)
    .find((f) => f.path === 'prometheus.yml')!;
  const doc = parse(file.content) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
  return doc.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
}

/** The targets of each job of the prometheus.yml rendered for a monitoring guest. */
function scrapeJobs(env: Environment, monitor: Guest): Map<string, string[]> {
  const file = renderGuest(env, monitor)
    .flatMap((s) => s.files)
    .find((f) => f.path === 'prometheus.yml')!;
  const doc = parse(file.content) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  return new Map(doc.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((c) => c.targets)]));
}

/** The inbound rules of a guest's firewall in the synthesized JSON. */
function rulesOf(tf: TfJson, guest: Guest): Rule[] {
  const id = guest.kind === 'vm' ? 'vm_id' : 'container_id';
  const res = Object.values(tf.resource['proxmox_virtual_environment_firewall_rules'] ?? {}).find((r) => r.node_name === guest.node && r[id] === guest.vmId);
  return (res?.rule as Rule[] | undefined) ?? [];
}

function coversPort(rule: Rule, port: number): boolean {
  if (rule.dport === undefined) return false;
  return rule.dport.split(',').some((part) => {
    const [lo, hi] = part.split(':').map(Number) as [number, number | undefined];
    return port >= lo && port <= (hi ?? lo);
  });
}

function admits(rule: Rule, ip: string): boolean {
  if (rule.source === undefined) return false;
  const cidr = Cidr.tryParse(rule.source.includes('/') ? rule.source : `${rule.source}/32`);
  return cidr !== undefined && cidr.contains(ip);
}

const accepts = (rule: Rule, port: number) =>
  rule.type === 'in' && rule.action === 'ACCEPT' && (rule.proto === 'tcp' || rule.proto === undefined) && coversPort(rule, port);

it('covers at least one environment whose Prometheus scrapes other guests', () => {
  expect(withMonitoring).toContain('production');
});

describe.each(withMonitoring)('%s: monitoring reaches its scrape targets through the firewall', (name) => {
  const env = loadEnvironment(name);
  const tf = synthEnv(env);
  const monitors = env.guests.filter((g) => g.stacks.some((s) => s.kind === 'monitoring'));
  const byIp = new Map(env.guests.map((g) => [g.ipv4, g]));
  /** Target guest → addresses of the monitoring guests whose prometheus.yml scrapes it, by port. */
  const scrapedBy = new Map<string, Set<string>>();
  const remote: { monitor: Guest; target: Guest; port: number }[] = [];
  for (const monitor of monitors)
    for (const t of scrapeTargets(env, monitor)) {
      const [host, port] = t.split(':') as [string, string];
      const target = byIp.get(host);
      // Service names (node-exporter:9100) and localhost are the monitoring stack's own network;
      // its own address never crosses a firewall.
      if (!target || target === monitor) continue;
      remote.push({ monitor, target, port: Number(port) });
      const key = `${target.name}:${port}`;
      scrapedBy.set(key, new Set([...(scrapedBy.get(key) ?? []), monitor.ipv4]));
    }

  it('every remote scrape target on a Proxmox guest has an ACCEPT rule from the monitoring guest', () => {
    const missing = remote
      .filter(({ target }) => target.kind !== 'external')
      .filter(({ monitor, target, port }) => !rulesOf(tf, target).some((r) => accepts(r, port) && admits(r, monitor.ipv4)))
      .map(({ monitor, target, port }) => `${monitor.name} → ${target.name}:${port}`);
    expect(missing).toEqual([]);
  });

  it('a scrape target on an external host is a flow the diff and graph show, marked not enforced', () => {
    for (const { monitor, target, port } of remote.filter((r) => r.target.kind === 'external')) {
      const flow = reachability(env).find(
        (f) => f.from.kind === 'guest' && f.from.name === monitor.name && f.to.kind === 'guest' && f.to.name === target.name && f.port.contains(port, 'tcp'),
      );
      expect(flow?.enforced).toBe(false);
    }
  });

  it('every scraped guest that runs Docker stacks is a node-exporter target, and every scraped GPU guest a dcgm-exporter target', () => {
    const missing: string[] = [];
    for (const monitor of monitors) {
      const jobs = scrapeJobs(env, monitor);
      for (const stack of monitor.stacks)
        if (stack.kind === 'monitoring')
          for (const target of monitoringTargets(env, monitor, stack)) {
            const at = (job: string) => (jobs.get(job) ?? []).some((t) => t.startsWith(`${target.ipv4}:`));
            if (target.stacks.length > 0 && !at('node')) missing.push(`${monitor.name} → ${target.name} (node)`);
            if (target.stacks.length > 0 && gpusOf(env, target).length > 0 && !at('dcgm')) missing.push(`${monitor.name} → ${target.name} (dcgm)`);
          }
    }
    expect(missing).toEqual([]);
  });

  it('no exporter port is opened to anything but the monitoring guests that scrape it', () => {
    const wider: string[] = [];
    for (const guest of env.guests.filter((g) => g.kind !== 'external')) {
      // vLLM's /metrics is its API port, which the web tier reaches by declared intent.
      const exporterPorts = metricsEndpoints(guest)
        .filter((e) => e.job !== 'vllm')
        .map((e) => e.port);
      for (const rule of rulesOf(tf, guest))
        for (const port of exporterPorts.filter((p) => accepts(rule, p))) {
          const allowed = [...(scrapedBy.get(`${guest.name}:${port}`) ?? [])];
          if (!(rule.source !== undefined && allowed.includes(rule.source))) wider.push(`${guest.name}:${port} from ${rule.source ?? 'anywhere'}`);
        }
    }
    expect(wider).toEqual([]);
  });
});

describe('the flows Prometheus needs show in diff and graph like any other flow', () => {
  const head = loadEnvironment('production');
  const spec = structuredClone(registeredSpec('production')) as EnvironmentSpec & { guests: GuestSpec[] };
  // The same environment whose monitoring stack names no targets: Prometheus scrapes only itself.
  const base = validateEnvironment(
    { ...spec, guests: spec.guests.map((g) => ({ ...g, stacks: (g.stacks ?? []).map((s) => (s.kind === 'monitoring' ? { ...s, targets: [] } : s)) })) },
    'production (no monitoring targets)',
  );
  // The stacks' own exporters, and the host and GPU exporters derived for scraped guests (model/derived-exporters.ts).
  const scrapes = ['db|9187', 'cache|9121', 'proxy|9113', 'db|9100', 'web-1|9100', 'llm|9100', 'llm|9400', 'ml|9400'];

  it('diff reports each scrape flow as opened, from the monitoring guest', () => {
    const opened = diffFlows(base, head).opened.filter((f) => f.from === 'monitoring');
    expect(opened.map((f) => `${f.to}|${f.port}`).sort()).toEqual(expect.arrayContaining(scrapes.sort()));
    expect(opened.find((f) => f.to === 'db' && `${f.port}` === '9187')).toMatchObject({ proto: 'tcp', description: 'Prometheus scrapes postgres metrics' });
    expect(opened.find((f) => f.to === 'llm' && `${f.port}` === '9400')).toMatchObject({ proto: 'tcp', description: 'Prometheus scrapes dcgm metrics' });
  });

  it('graph draws each scrape flow as a flow edge', () => {
    const edges = topology(head).edges.filter((e) => e.kind === 'flow' && e.from === nodeId('monitoring'));
    for (const s of scrapes) {
      const [to, port] = s.split('|') as [string, string];
      expect(edges.some((e) => e.to === nodeId(to) && e.label === `tcp/${port}`)).toBe(true);
    }
  });
});
