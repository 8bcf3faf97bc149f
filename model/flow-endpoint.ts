/**
 * The two ends of a flow as tagged unions. The spec writes a source as text (`internet`, `admin`,
 * `cidr:198.51.100.0/24`, `ipset:cloudflare`, a guest name); `parseFlowSource` takes it apart once,
 * and everything downstream (the firewall constructs, the checks, pg_hba, the graph, the diff)
 * switches on `kind` instead of testing prefixes.
 */

/** Where a flow comes from. */
export type FlowSource =
  | { readonly kind: 'internet' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'ipset'; readonly name: string }
  | { readonly kind: 'guest'; readonly name: string };

/** Where a flow goes: a guest, or a Proxmox host's management ports. */
export type FlowTarget = { readonly kind: 'guest'; readonly name: string } | { readonly kind: 'node'; readonly name: string };

/** A flow's end, either side. */
export type FlowEndpoint = FlowSource | FlowTarget;

const CIDR_PREFIX = 'cidr:';
const IPSET_PREFIX = 'ipset:';

/**
 * Parses a validated spec source reference that names a peer rather than guests: `internet`,
 * `admin`, `cidr:…`, `ipset:…`. Anything else is a guest reference (`name`, `guest:name`,
 * `role:web`), which the caller expands to guest names; this returns undefined for those.
 */
export function parsePeerSource(ref: string): Exclude<FlowSource, { kind: 'guest' }> | undefined {
  if (ref === 'internet') return { kind: 'internet' };
  if (ref === 'admin') return { kind: 'admin' };
  if (ref.startsWith(CIDR_PREFIX)) return { kind: 'cidr', cidr: ref.slice(CIDR_PREFIX.length) };
  if (ref.startsWith(IPSET_PREFIX)) return { kind: 'ipset', name: ref.slice(IPSET_PREFIX.length) };
  return undefined;
}

/** Parses a source label as `endpointLabel` writes it (`internet`, `cidr:…`, or a guest name). */
export function parseFlowSource(label: string): FlowSource {
  return parsePeerSource(label) ?? { kind: 'guest', name: label };
}

/** Parses a target label as `endpointLabel` writes it (`node:pve1` or a guest name). */
export function parseFlowTarget(label: string): FlowTarget {
  return label.startsWith('node:') ? { kind: 'node', name: label.slice(5) } : { kind: 'guest', name: label };
}

/**
 * The end as text: `internet`, `admin`, `cidr:…`, `ipset:…`, `node:…` or a guest name: the spec's
 * own spelling, used in messages, reports, graph ids and the `--json` of `diff`.
 */
export function endpointLabel(end: FlowEndpoint): string {
  switch (end.kind) {
    case 'internet':
    case 'admin':
      return end.kind;
    case 'cidr':
      return `${CIDR_PREFIX}${end.cidr}`;
    case 'ipset':
      return `${IPSET_PREFIX}${end.name}`;
    case 'node':
      return `node:${end.name}`;
    case 'guest':
      return end.name;
  }
}
