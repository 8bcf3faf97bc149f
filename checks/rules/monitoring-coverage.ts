/**
 * Monitoring that covers the stacks. A monitoring stack scrapes only the guests it lists in
 * `targets`, and only those get the host and GPU exporters (model/derived-exporters.ts): for any
 * other guest that runs stacks, the disk-above-85 % and GPU-memory-near-full alerts
 * (templates/monitoring/alert-rules.ts) can never fire, and a stack that stops is not noticed.
 */
import { gpusOf, monitoringTargets, type Environment, type Guest } from '../../model';
import type { Issue, Rule } from '../types';

const runsMonitoring = (g: Guest) => g.stacks.some((s) => s.kind === 'monitoring');

/** Guests that run monitoring, and every guest some monitoring stack scrapes. */
function monitoredGuests(env: Environment): Set<Guest> {
  return new Set(
    env.guests
      .filter(runsMonitoring)
      .flatMap((self) => [self, ...self.stacks.flatMap((s) => (s.kind === 'monitoring' ? monitoringTargets(env, self, s) : []))]),
  );
}

export const stacksMonitored: Rule = {
  id: 'PVE-DATA-005',
  family: 'data-safety',
  severity: 'info',
  title: 'With monitoring in the environment, every guest that runs stacks is scraped, so its disk and GPU alerts can fire',
  check: ({ env }) => {
    const monitors = env.guests.filter(runsMonitoring);
    if (monitors.length === 0) return [];
    const monitored = monitoredGuests(env);
    return env.guests
      .filter((g) => g.stacks.length > 0 && !monitored.has(g))
      .map((g): Issue => {
        const gpu = gpusOf(env, g).length > 0;
        // Name the monitoring guests on the guest's own network when there are any: those can reach it.
        const near = monitors.filter((m) => m.network === g.network);
        return {
          path: `guests[${g.index}].stacks`,
          guest: g.name,
          message: `${g.name} runs stacks but no monitoring stack lists it in targets: no node-exporter${gpu ? ' or dcgm-exporter' : ''} runs there, so the disk${
            gpu ? ' and GPU memory' : ''
          } alerts never fire for it and a stopped service goes unnoticed`,
          hint: `Add ${g.name} to the targets of the monitoring stack on ${(near.length > 0 ? near : monitors).map((m) => m.name).join(' or ')} (it then gets node-exporter${
            gpu ? ' and dcgm-exporter' : ''
          }, and the firewall opens their ports to the monitoring guest only), or suppress this finding with the reason it needs no monitoring.`,
        };
      });
  },
};

export const MONITORING_COVERAGE_RULES: readonly Rule[] = [stacksMonitored];
