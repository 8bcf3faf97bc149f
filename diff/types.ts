/**
 * The typed result of comparing two synthesized revisions of one environment. Everything the
 * Markdown, terminal and JSON views print comes from these types, and none of them carries a
 * secret value: masking happens while the diff is built, not while it is printed.
 */

/** What Terraform would do with one resource, in `terraform plan` terms. */
/** `import`: the resource is new in the configuration and a Terraform `import` block adopts an existing object for it (nothing is created). */
export type ResourceAction = 'create' | 'import' | 'update' | 'replace' | 'delete';

/** The text shown instead of a sensitive or secret-looking value. */
export const MASKED = '(masked)';

/** One changed attribute of an updated or replaced resource. */
export interface AttributeChange {
  /** Attribute path with list indexes, e.g. `cpu.cores`, `disk[1].size`. */
  readonly path: string;
  /** Old value (absent when the attribute is new); `MASKED` when sensitive. */
  readonly before?: unknown;
  /** New value (absent when the attribute was removed); `MASKED` when sensitive. */
  readonly after?: unknown;
  /** True when the values were replaced by `MASKED`. */
  readonly masked?: boolean;
  /** For long or multi-line strings (cloud-init, scripts): a unified diff instead of the values. */
  readonly unified?: string;
  /** True when the new value is only known after apply (it references a replaced resource). */
  readonly knownAfterApply?: boolean;
}

/** Why a resource is replaced: the attribute that forces it and the provider rule behind it. */
export interface ReplacementCause {
  /** The attribute path from force-new.json, e.g. `node_name`, `initialization.user_data_file_id`. */
  readonly attribute: string;
  /** `force_new` (always), `force_new_if` (a conditional rule that holds), or `dependency`. */
  readonly rule: 'force_new' | 'force_new_if' | 'dependency';
  /** Human-readable explanation, e.g. the rule's condition or the replaced resource it depends on. */
  readonly reason: string;
}

/** One resource whose desired state differs between base and head. */
export interface ResourceChange {
  /** Terraform address `type.name`. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** The construct path cdktf recorded (`staging/db/Resource`), when present. */
  readonly constructPath?: string;
  /** The guest the resource belongs to, when its construct path names one. */
  readonly guest?: string;
  readonly action: ResourceAction;
  /** Changed attributes (update and replace only), sorted by path. */
  readonly changes: readonly AttributeChange[];
  /** Non-empty exactly when `action` is `replace`. */
  readonly replacedBecause: readonly ReplacementCause[];
  /** Attributes whose change reboots the guest (in-place updates of VMs and containers only). */
  readonly rebootBecause: readonly string[];
  /** Why losing this resource loses data; absent when it is stateless. */
  readonly stateful?: string;
  /** `lifecycle.prevent_destroy` in the configuration Terraform plans with. */
  readonly preventDestroy: boolean;
  /** Conditions the provider cannot decide from configuration alone, or apply-time failures. */
  readonly notes: readonly string[];
}

/** A destroy or replacement of something holding data: shown first, in bold. */
export interface StatefulRisk {
  readonly address: string;
  readonly guest?: string;
  readonly action: 'replace' | 'delete';
  readonly stateful: string;
  /** The attributes forcing a replacement. */
  readonly causes: readonly string[];
  /** True when `prevent_destroy` makes `terraform apply` stop with an error instead. */
  readonly blockedByPreventDestroy: boolean;
}

/** A guest that is updated in place and rebooted by it. */
export interface Reboot {
  readonly address: string;
  readonly guest?: string;
  readonly because: readonly string[];
}

/** One allowed flow, as in `model/reachability.ts`. */
export interface FlowRef {
  readonly from: string;
  readonly to: string;
  readonly proto: string;
  readonly port: string;
  readonly description?: string;
}

export interface SecurityChanges {
  readonly flowsOpened: readonly FlowRef[];
  readonly flowsClosed: readonly FlowRef[];
  /** Subset of `flowsOpened` whose source is the internet. */
  readonly publicPortsOpened: readonly FlowRef[];
  /** Containers that are privileged in head and were not (or did not exist) in base. */
  readonly privilegedContainers: readonly { readonly guest: string; readonly reason?: string; readonly change: 'added' | 'became privileged' }[];
  /** PCI passthrough (hostpci, device passthrough, PCI mappings) changes. */
  readonly gpuChanges: readonly {
    readonly address: string;
    readonly guest?: string;
    readonly action: ResourceAction;
    readonly before?: unknown;
    readonly after?: unknown;
  }[];
}

/** Kind of a rendered file, for grouping and for the reader. */
export type RenderedFileKind = 'compose' | 'nginx' | 'postgresql' | 'cloud-init' | 'env' | 'systemd' | 'other';

export interface FileDiff {
  /** Path inside the stack's artifact directory. */
  readonly path: string;
  readonly kind: RenderedFileKind;
  readonly status: 'added' | 'removed' | 'modified';
  /** Unified diff with secret-looking values masked. */
  readonly unified: string;
}

/** What changes for one application stack on one host. */
export interface StackChange {
  readonly guest: string;
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'modified';
  readonly images: readonly { readonly service: string; readonly before?: string; readonly after?: string }[];
  readonly envAdded: readonly string[];
  readonly envRemoved: readonly string[];
  /** Keys whose value changed; the values themselves are never shown. */
  readonly envChanged: readonly string[];
  readonly healthchecks: readonly { readonly service: string; readonly change: 'added' | 'removed' | 'changed' }[];
  readonly files: readonly FileDiff[];
}

/** A secret reference (name → env var) added, removed or changed; the value never appears. */
export interface SecretChange {
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed (masked)';
}

export interface DiffCounts {
  readonly create: number;
  /** Resources adopted by an `import` block instead of created. */
  readonly import: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly reboot: number;
  readonly flowsOpened: number;
  readonly flowsClosed: number;
  readonly stacksChanged: number;
  readonly secretsChanged: number;
}

/** The comparison of one environment between two revisions. */
export interface EnvironmentDiff {
  readonly environment: string;
  /** `added` / `removed` when the environment exists in only one revision. */
  readonly status: 'added' | 'removed' | 'present';
  readonly counts: DiffCounts;
  /** One line saying what this change means. */
  readonly verdict: string;
  readonly risks: readonly StatefulRisk[];
  readonly resources: readonly ResourceChange[];
  readonly reboots: readonly Reboot[];
  readonly security: SecurityChanges;
  readonly applications: readonly StackChange[];
  readonly secrets: readonly SecretChange[];
  readonly hasChanges: boolean;
}

/** The whole comparison, as `pvestack diff --json` prints it. */
export interface DiffReport {
  readonly base: string;
  readonly head: string;
  readonly environments: readonly EnvironmentDiff[];
  readonly hasChanges: boolean;
  /** True when anything stateful is destroyed or replaced (CI labels the PR `destroys-infra`). */
  readonly destroysStateful: boolean;
}
