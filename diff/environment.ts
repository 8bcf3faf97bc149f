/**
 * The diff engine's entry point: two synthesized states of one environment in, a typed
 * `EnvironmentDiff` out. Pure: the caller reads files and runs git; this only compares.
 */
import type { Environment } from '../model';
import type { ComposeFacts } from '../templates/compose/service-facts';
import { diffArtifacts, type ArtifactTree } from './artifacts';
import { diffResources, GUEST_TYPES, type TerraformJson } from './plan';
import { diffSecrets } from './secrets';
import { diffSecurity } from './security';
import type { DiffCounts, DiffReport, EnvironmentDiff, Reboot, ResourceChange, StatefulRisk } from './types';

/** One revision of one environment, as synthesized. Absent parts mean the environment does not exist there. */
export interface RevisionState {
  /** Parsed `cdk.tf.json`. */
  readonly terraform?: TerraformJson;
  /** The validated environment the JSON was synthesized from. */
  readonly env?: Environment;
  /** Rendered artifacts: path relative to `artifacts/` → content. */
  readonly artifacts?: ArtifactTree;
  /** The typed facts of its compose services (`compose-facts.json`); absent when the revision did not write them. */
  readonly composeFacts?: ComposeFacts;
}

export interface EnvironmentDiffInput {
  readonly environment: string;
  readonly base: RevisionState;
  readonly head: RevisionState;
}

function risksOf(resources: readonly ResourceChange[]): StatefulRisk[] {
  return resources
    .filter((r) => r.stateful && (r.action === 'replace' || r.action === 'delete'))
    .map((r) => ({
      address: r.address,
      ...(r.guest ? { guest: r.guest } : {}),
      action: r.action as 'replace' | 'delete',
      stateful: r.stateful!,
      causes: r.replacedBecause.map((c) => c.attribute),
      blockedByPreventDestroy: r.action === 'replace' && r.preventDestroy,
    }));
}

function rebootsOf(resources: readonly ResourceChange[]): Reboot[] {
  return resources
    .filter((r) => GUEST_TYPES.has(r.type) && r.action === 'update' && r.rebootBecause.length > 0)
    .map((r) => ({ address: r.address, ...(r.guest ? { guest: r.guest } : {}), because: r.rebootBecause }));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line: the most important consequence of this change. */
export function verdictOf(d: Omit<EnvironmentDiff, 'verdict'>): string {
  if (!d.hasChanges) return 'No changes.';
  const blocked = d.risks.filter((r) => r.blockedByPreventDestroy);
  if (blocked.length)
    return `Blocked: ${plural(blocked.length, 'protected resource')} would be replaced; prevent_destroy stops the apply. Undo the spec change that forces the replacement (the cause is listed per resource), or back up the data and remove the protection deliberately.`;
  if (d.risks.length)
    return `Danger: ${plural(d.risks.length, 'stateful resource')} destroyed or replaced: data on ${d.risks.map((r) => r.guest ?? r.address).join(', ')} is at risk.`;
  const c = d.counts;
  const parts: string[] = [];
  const losses = [c.replace ? plural(c.replace, 'replacement') : '', c.delete ? plural(c.delete, 'destroy') : ''].filter(Boolean);
  if (losses.length) parts.push(`${losses.join(' and ')} of stateless resources`);
  if (d.security.publicPortsOpened.length) parts.push(`${plural(d.security.publicPortsOpened.length, 'new public port')}`);
  if (c.reboot) parts.push(`${plural(c.reboot, 'guest')} reboot`);
  if (parts.length) return `Review: ${parts.join('; ')}.`;
  if (c.create + c.import + c.update)
    return `Safe: ${c.create} to add, ${c.import ? `${c.import} to import, ` : ''}${c.update} to update in place, no data at risk.`;
  return 'Safe: application or configuration changes only; no infrastructure changes.';
}

/** Compares two revisions of one environment. */
export function diffEnvironment(input: EnvironmentDiffInput): EnvironmentDiff {
  const { base, head } = input;
  const resources = diffResources(base.terraform, head.terraform, { ...(base.env ? { base: base.env } : {}), ...(head.env ? { head: head.env } : {}) });
  const security = diffSecurity(base.env, head.env, resources);
  const applications = diffArtifacts(base.artifacts ?? new Map(), head.artifacts ?? new Map(), {
    ...(base.composeFacts ? { base: base.composeFacts } : {}),
    ...(head.composeFacts ? { head: head.composeFacts } : {}),
  });
  const secrets = diffSecrets(base.env, head.env, applications);
  const reboots = rebootsOf(resources);
  const count = (a: ResourceChange['action']) => resources.filter((r) => r.action === a).length;
  const counts: DiffCounts = {
    create: count('create'),
    import: count('import'),
    update: count('update'),
    replace: count('replace'),
    delete: count('delete'),
    reboot: reboots.length,
    flowsOpened: security.flowsOpened.length,
    flowsClosed: security.flowsClosed.length,
    stacksChanged: applications.length,
    secretsChanged: secrets.length,
  };
  const hasChanges = Object.values(counts).some((n) => n > 0) || security.privilegedContainers.length > 0 || security.gpuChanges.length > 0;
  const partial = {
    environment: input.environment,
    status: !base.terraform && !base.env ? ('added' as const) : !head.terraform && !head.env ? ('removed' as const) : ('present' as const),
    counts,
    risks: risksOf(resources),
    resources,
    reboots,
    security,
    applications,
    secrets,
    hasChanges,
  };
  return { ...partial, verdict: verdictOf(partial) };
}

/** The report over several environments. */
export function diffReport(base: string, head: string, environments: readonly EnvironmentDiff[]): DiffReport {
  return {
    base,
    head,
    environments,
    hasChanges: environments.some((e) => e.hasChanges),
    destroysStateful: environments.some((e) => e.risks.length > 0),
  };
}
