/**
 * The exporters a monitored guest runs without the spec declaring them. A monitoring stack's alert
 * rules read node-exporter (disk above 85 %) and dcgm-exporter (GPU memory near full) on every
 * guest it scrapes; without those exporters the rules can never fire for a database or GPU guest.
 * So every guest a monitoring stack names as a target and that runs Docker stacks gets the host
 * exporter, and such a guest with a GPU (VM passthrough, LXC device or an external host's
 * `hostGpus`) gets the GPU exporter. They are appended to the guest's stacks here, once, so the
 * renderer, deployer, listeners, scrape config and firewall flows all see the same stacks.
 *
 * A guest opts out with `monitoringExporters: false` (or by leaving it out of every monitoring
 * stack's `targets`), and replaces a derived exporter by declaring its own `node-exporter` /
 * `dcgm-exporter` stack (own port or image).
 */
import type { Environment, Guest } from './environment';
import { gpusOf } from './environment';
import { monitoringTargets } from './metrics-endpoints';
import type { CatalogStackSpec } from './spec';

/** The guests some monitoring stack of the environment scrapes over the network. */
function scrapedGuests(env: Environment): Set<Guest> {
  return new Set(env.guests.flatMap((self) => self.stacks.flatMap((s) => (s.kind === 'monitoring' ? monitoringTargets(env, self, s) : []))));
}

/**
 * The exporter stacks derived for one guest, in the order they are appended. None for a guest no
 * monitoring stack scrapes, one without Docker stacks, one that opts out, or one that runs a
 * monitoring stack (which carries node-exporter, cAdvisor and, with GPUs, dcgm-exporter for its own guest).
 */
export function derivedExporters(env: Environment, guest: Guest, scraped: ReadonlySet<Guest> = scrapedGuests(env)): CatalogStackSpec[] {
  if (guest.monitoringExporters === false || !scraped.has(guest) || guest.stacks.length === 0 || guest.stacks.some((s) => s.kind === 'monitoring')) return [];
  const declares = (kind: CatalogStackSpec['kind']) => guest.stacks.some((s) => s.kind === kind);
  const out: CatalogStackSpec[] = [];
  if (!declares('node-exporter')) out.push({ kind: 'node-exporter' });
  if (gpusOf(env, guest).length > 0 && !declares('dcgm-exporter')) out.push({ kind: 'dcgm-exporter' });
  return out;
}

/** The environment with each guest's derived exporters appended to its stacks; unchanged (same object) without any. */
export function withDerivedExporters(env: Environment): Environment {
  const scraped = scrapedGuests(env);
  if (scraped.size === 0) return env;
  return {
    ...env,
    guests: env.guests.map((g) => {
      const extra = derivedExporters(env, g, scraped);
      return extra.length === 0 ? g : { ...g, stacks: [...g.stacks, ...extra] };
    }),
  };
}
