/**
 * Which guests `import` adopts and how: reads the cluster's guests and their configuration (GET
 * only), skips what the spec already has or another environment manages, and translates the rest.
 */
import type { Environment, GpuSpec, NetworkSpec } from '../../model';
import { UsageError } from '../../model';
import { api, type ClusterResource, type GuestConfig, type PciDevice, type PciMapping } from '../api';
import type { ApiReader } from '../client';
import { tagsOf } from '../doctor/rules/guests';
import { translateGuest, type ImportedGuest } from './translate';

export interface ImportOptions {
  /** Only guests on these nodes. @default every node of the spec */
  readonly nodes?: readonly string[];
  /** Only these VM ids. @default every guest */
  readonly vmids?: readonly number[];
}

export interface SkippedGuest {
  readonly vmid: number;
  readonly name: string;
  readonly node: string;
  readonly reason: string;
}

export interface ImportPlan {
  readonly env: Environment;
  readonly guests: readonly ImportedGuest[];
  readonly skipped: readonly SkippedGuest[];
  /** Networks the imported guests need that the spec lacks. */
  readonly networks: readonly NetworkSpec[];
  /** GPUs to add to nodes (passed through to an imported VM, not yet in the spec). */
  readonly gpus: readonly { readonly node: string; readonly gpu: GpuSpec }[];
}

/** Why a cluster guest is not imported, or undefined to import it. */
export function skipReason(env: Environment, r: ClusterResource, _opts: ImportOptions): string | undefined {
  if (r.template === 1) return 'a template, not a guest';
  const inSpec = env.guests.find((g) => g.vmId === r.vmid);
  if (inSpec) return `already in the spec as ${inSpec.name}`;
  const tags = tagsOf(r);
  const otherEnv = tags.includes('pvestack') ? tags.map((t) => /^env-(.+)$/.exec(t)?.[1]).find((e) => e && e !== env.name) : undefined;
  if (otherEnv) return `managed by pvestack environment ${otherEnv}`;
  // A guest this environment created without a fixed vmId: Terraform state has it already.
  if (tags.includes('pvestack') && tags.includes(`env-${env.name}`))
    return `created by this environment${env.guests.some((g) => g.name === r.name) ? ` (guest ${r.name})` : ''}; Terraform manages it already`;
  if (!env.cluster.nodes.some((n) => n.name === r.node))
    return `node ${r.node} is not in the spec's cluster.nodes (add it first: pvestack discover --node ${r.node})`;
  return undefined;
}

export async function planImport(client: ApiReader, env: Environment, opts: ImportOptions = {}): Promise<ImportPlan> {
  for (const n of opts.nodes ?? [])
    if (!env.cluster.nodes.some((x) => x.name === n))
      throw new UsageError(`--node ${n} is not a node of environment ${env.name}`, `Its nodes: ${env.cluster.nodes.map((x) => x.name).join(', ') || 'none'}.`);
  const all = (await api.guests(client)).filter((r) => (r.type === 'qemu' || r.type === 'lxc') && r.vmid !== undefined && r.node !== undefined);
  for (const id of opts.vmids ?? [])
    if (!all.some((r) => r.vmid === id))
      throw new UsageError(
        `--vmid ${id}: the cluster has no guest with that id (or the credentials may not see it)`,
        'List the guests with `pvesh get /cluster/resources --type vm`.',
      );
  const wanted = all
    .filter((r) => (!opts.nodes?.length || opts.nodes.includes(r.node!)) && (!opts.vmids?.length || opts.vmids.includes(r.vmid!)))
    .sort((a, b) => a.vmid! - b.vmid!);
  const skipped: SkippedGuest[] = [];
  const chosen: ClusterResource[] = [];
  for (const r of wanted) {
    const reason = skipReason(env, r, opts);
    if (reason) skipped.push({ vmid: r.vmid!, name: r.name ?? '', node: r.node!, reason });
    else chosen.push(r);
  }
  const mappings = chosen.length ? await api.pciMappings(client) : [];
  const pci = new Map<string, readonly PciDevice[]>();
  for (const node of new Set(chosen.filter((r) => r.type === 'qemu').map((r) => r.node!))) pci.set(node, await api.pciDevices(client, node));
  const configs = new Map<number, GuestConfig>();
  for (const r of chosen)
    configs.set(r.vmid!, r.type === 'lxc' ? await api.lxcConfig(client, r.node!, r.vmid!) : await api.qemuConfig(client, r.node!, r.vmid!));
  return translateAll(env, chosen, configs, pci, mappings, skipped);
}

/** The pure part: translation of every chosen guest with shared network and GPU bookkeeping. */
export function translateAll(
  env: Environment,
  chosen: readonly ClusterResource[],
  configs: ReadonlyMap<number, GuestConfig>,
  pci: ReadonlyMap<string, readonly PciDevice[]>,
  mappings: readonly PciMapping[],
  skipped: SkippedGuest[] = [],
): ImportPlan {
  const networks: NetworkSpec[] = env.networks.map((n) => ({
    name: n.name,
    bridge: n.bridge,
    cidr: n.cidr,
    gateway: n.gateway,
    ...(n.vlan !== undefined ? { vlan: n.vlan } : {}),
  }));
  const known = networks.length;
  const nodeGpus = new Map<string, GpuSpec[]>(env.cluster.nodes.map((n) => [n.name, [...n.gpus]]));
  const before = new Map([...nodeGpus].map(([k, v]) => [k, v.length]));
  const takenNames = new Set(env.guests.map((g) => g.name));
  const guests = chosen.map((resource) =>
    translateGuest({
      env,
      resource,
      config: configs.get(resource.vmid!)!,
      node: { pci: pci.get(resource.node!) ?? [] },
      mappings,
      networks,
      nodeGpus,
      takenNames,
    }),
  );
  const gpus = [...nodeGpus].flatMap(([node, list]) => list.slice(before.get(node) ?? 0).map((gpu) => ({ node, gpu })));
  return { env, guests, skipped, networks: networks.slice(known), gpus };
}
