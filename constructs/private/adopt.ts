import type { TerraformResource } from 'cdktf';
import type { Guest } from '../../model';

/**
 * Adoption: a guest or GPU mapping that exists on the cluster is imported by the first apply
 * (cdktf `importFrom` writes a Terraform `import` block, Terraform >= 1.5) instead of created.
 * The import ids are the provider's: `<node>/<vmid>` for VMs and containers
 * (docs/resources/virtual_environment_vm.md and virtual_environment_container.md, "Import", of
 * bpg/terraform-provider-proxmox v0.111.1) and the mapping name for `hardware_mapping_pci`.
 */
export function adoptGuest(resource: TerraformResource, guest: Guest): void {
  if (guest.adopt && guest.node && guest.vmId !== undefined) importExisting(resource, `${guest.node}/${guest.vmId}`);
}

/**
 * `resource.importFrom(id)` without the synth-time probe cdktf 0.21 attaches to it
 * (`ValidateTerraformVersion(">=1.5")` in `terraform-resource.js`, which runs `terraform version`
 * during synth and fails where no terraform binary is installed, or only `tofu`). pvestack
 * synthesizes offline (`pvestack synth`, `diff` in a PR job, the tests), and the version check
 * happens anyway where it matters: Terraform before 1.5 (and OpenTofu before 1.6) refuses the
 * `import` block at plan. The probe is the one validation `importFrom` adds; test
 * `test/constructs/private/adopt.test.ts` synthesizes with no terraform on the PATH to notice a change.
 */
export function importExisting(resource: TerraformResource, id: string): void {
  const node = resource.node as unknown as { _validations?: unknown[] };
  // constructs creates the list on the first addValidation, so it may not exist yet.
  const before = node._validations?.length ?? 0;
  resource.importFrom(id);
  node._validations?.splice(before);
}

/**
 * Attributes of an adopted VM left as found. The provider cannot read what a guest was created
 * from, so after the import these are empty in state, and `initialization.user_data_file_id` is
 * ForceNew (providers/proxmox/force-new.json): setting them would replace the hand-made VM.
 */
export const ADOPTED_VM_KEEPS: readonly string[] = ['initialization[0].user_data_file_id', 'disk[0].import_from'];

/**
 * Attributes of an adopted container left as found: the template it was made from and its
 * cloud-init user (ForceNew, and unreadable from Proxmox), and its mount points (a change of
 * their number is ForceNew, and bind mounts of host paths are outside the model).
 */
export const ADOPTED_LXC_KEEPS: readonly string[] = ['operating_system[0].template_file_id', 'initialization[0].user_account', 'mount_point'];

/** `lifecycle` for a guest: stateful guests are protected, adopted ones keep their creation-only attributes. */
export function guestLifecycle(
  guest: Guest,
  statefulIgnores: readonly string[],
  adoptedKeeps: readonly string[],
): { lifecycle?: { preventDestroy?: boolean; ignoreChanges?: string[] } } {
  return lifecycleFor(guest.stateful, guest.adopt === true, statefulIgnores, adoptedKeeps);
}

/** `lifecycle` from the two facts, for constructs used without an environment. */
export function lifecycleFor(
  stateful: boolean,
  adopted: boolean,
  statefulIgnores: readonly string[],
  adoptedKeeps: readonly string[],
): { lifecycle?: { preventDestroy?: boolean; ignoreChanges?: string[] } } {
  const ignore = [...(stateful ? statefulIgnores : []), ...(adopted ? adoptedKeeps : [])];
  const unique = [...new Set(ignore)];
  if (!stateful && unique.length === 0) return {};
  return { lifecycle: { ...(stateful ? { preventDestroy: true } : {}), ...(unique.length ? { ignoreChanges: unique } : {}) } };
}
