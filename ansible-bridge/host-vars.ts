/**
 * Host variables for guests and Proxmox nodes: connection settings plus the facts the playbooks
 * read (GPUs, vfio ids, ZFS ARC policy, data disks, Storage Box secret files). Every variable we
 * own starts with `pvestack_` so it never shadows a user's or a role's variables. Values are
 * derived from the validated `Environment` only; secret values never appear, only the names of
 * the environment variables the playbooks read them from.
 */
import { gpusOf, Size, stackListeners, stackNames } from '../model';
import type { ClusterNode, Environment, GpuSpec, Guest, StackSpec } from '../model';
import { guestSysctlFiles, nodeSysctlFiles, SysctlFile } from '../templates/redis/kernel-settings';
import { storageBoxGuestPlan } from '../templates/storage-box-guest';
import { storageBoxCredentialsPath, storageBoxKeyPath, storageBoxShare } from '../templates/storage-box-units';

/** A JSON value as Ansible sees it. */
export type VarValue = string | number | boolean | null | readonly VarValue[] | { readonly [key: string]: VarValue };
export type HostVars = Readonly<Record<string, VarValue>>;

/** Proxmox nodes are administered as root over SSH on the default port. */
export const PROXMOX_NODE_USER = 'root';
export const PROXMOX_NODE_SSH_PORT = 22;

/** GiB (possibly fractional) to whole bytes, as `zfs_arc_max` wants them. */
export function gibToBytes(gib: number): number {
  return Math.round(Size.gib(gib).toBytes());
}

function gpuVars(gpu: GpuSpec): Record<string, VarValue> {
  return {
    name: gpu.name,
    pci_address: gpu.pciAddress,
    model: gpu.model,
    vram_gib: gpu.vramGib,
    ...(gpu.deviceId !== undefined ? { device_id: gpu.deviceId } : {}),
    ...(gpu.subsystemId !== undefined ? { subsystem_id: gpu.subsystemId } : {}),
    ...(gpu.iommuGroup !== undefined ? { iommu_group: gpu.iommuGroup } : {}),
    ...('allFunctions' in gpu && gpu.allFunctions ? { all_functions: true } : {}),
    ...(gpu.computeCapability !== undefined ? { compute_capability: gpu.computeCapability } : {}),
  };
}

/** A stack's variables; `name` is its directory on the host, as the renderer and deployer name it. */
function stackVars(stack: StackSpec, name: string): Record<string, VarValue> {
  const ports = [...new Set(stackListeners(stack).map((l) => `${l.proto}/${l.port}`))];
  return { kind: stack.kind, name, ports };
}

/** One secret file the storage-box playbook writes (mode 0600), and where its value comes from. */
function storageBoxSecretFiles(env: Environment, guest: Guest): Record<string, VarValue>[] {
  const files = new Map<string, Record<string, VarValue>>();
  for (const mount of guest.storageBoxMounts) {
    const box = env.storageBoxes.find((b) => b.name === mount.box);
    if (!box) continue;
    const secret = mount.protocol === 'cifs' ? box.passwordSecret : box.sshKeySecret;
    const path = mount.protocol === 'cifs' ? storageBoxCredentialsPath(box.name) : storageBoxKeyPath(box.name);
    files.set(path, {
      box: box.name,
      type: mount.protocol === 'cifs' ? 'cifs-credentials' : 'ssh-key',
      path,
      user: box.user,
      secret: secret ?? null,
      // The environment variable the playbook reads with lookup('env', ...); null when the spec names no secret.
      env: secret !== undefined ? (env.secrets[secret]?.env ?? null) : null,
    });
  }
  return [...files.values()];
}

function storageBoxMountVars(env: Environment, guest: Guest): Record<string, VarValue>[] {
  return guest.storageBoxMounts.map((mount) => {
    const box = env.storageBoxes.find((b) => b.name === mount.box);
    return {
      box: mount.box,
      protocol: mount.protocol,
      mount_point: mount.mountPoint,
      subdirectory: mount.subdirectory,
      host: box?.host ?? null,
      user: box?.user ?? null,
      ...(mount.protocol === 'cifs'
        ? { share: box ? storageBoxShare(box) : null, credentials_file: storageBoxCredentialsPath(mount.box) }
        : { key_file: storageBoxKeyPath(mount.box) }),
    };
  });
}

/**
 * The mount units, known_hosts and folder batch files of an external host, and the packages they
 * need: VMs get the same plan from cloud-init, external hosts from the storage-box playbook.
 */
function storageBoxPlanVars(env: Environment, guest: Guest): Record<string, VarValue> {
  if (guest.kind !== 'external' || guest.storageBoxMounts.length === 0) return {};
  const plan = storageBoxGuestPlan(env, guest);
  return {
    pvestack_storage_box_packages: [...plan.packages],
    pvestack_storage_box_files: [
      ...plan.units.map((u) => ({ path: u.path, content: u.content })),
      ...plan.files.map((f) => ({ path: f.path, content: f.content })),
    ],
    pvestack_storage_box_enable: plan.units.filter((u) => u.enable).map((u) => u.name),
  };
}

/** Host variables of one guest (VM, container or external host). */
export function guestHostVars(env: Environment, guest: Guest): HostVars {
  const dataDisks = guest.disks.filter((d, i) => !(i === 0 && guest.kind !== 'external') && d.name !== 'root');
  return {
    ansible_host: guest.ipv4,
    ansible_user: guest.sshUser,
    ansible_port: guest.sshPort,
    pvestack_kind: guest.kind,
    pvestack_role: guest.role,
    ...(guest.node !== undefined ? { pvestack_node: guest.node } : {}),
    ...(guest.vmId !== undefined ? { pvestack_vm_id: guest.vmId } : {}),
    pvestack_cores: guest.cores,
    pvestack_memory_gib: guest.memoryGib,
    pvestack_stateful: guest.stateful,
    // The deployer logs in as sshUser; only when that is root may sshd keep key-only root logins.
    pvestack_root_login_needed: guest.sshUser === 'root',
    pvestack_gpus: gpusOf(env, guest).map(gpuVars),
    pvestack_stacks: guest.stacks.map((s, i) => stackVars(s, stackNames(guest)[i]!)),
    pvestack_data_disks: dataDisks.map((d) => ({
      name: d.name,
      size_gib: d.sizeGib,
      datastore: d.datastore,
      mount_point: d.mountPoint ?? null,
    })),
    pvestack_mount_points: dataDisks.flatMap((d) => (d.mountPoint !== undefined ? [d.mountPoint] : [])),
    pvestack_storage_box_mounts: storageBoxMountVars(env, guest),
    pvestack_storage_box_secret_files: storageBoxSecretFiles(env, guest),
    ...storageBoxPlanVars(env, guest),
    ...sysctlVars(guestSysctlFiles(guest)),
  };
}

/** `pvestack_sysctl_files` for the playbooks that write and load sysctl.d files; absent when there are none. */
function sysctlVars(files: readonly SysctlFile[]): Record<string, VarValue> {
  return files.length > 0 ? { pvestack_sysctl_files: files.map((f) => ({ path: f.path, content: f.content, reason: f.reason })) } : {};
}

/**
 * PCI ids the node's vfio-pci driver should claim: GPUs that VMs take by passthrough (or that no
 * guest uses yet). A GPU given to an LXC container stays with the host's NVIDIA driver, because
 * containers share the host kernel's driver instead of owning the device.
 */
export function vfioIds(env: Environment, node: ClusterNode): string[] {
  const lxcGpus = new Set(env.guests.filter((g) => g.kind === 'lxc' && g.node === node.name).flatMap((g) => g.gpus));
  const ids = node.gpus.filter((gpu) => !lxcGpus.has(gpu.name) && gpu.deviceId !== undefined).map((gpu) => gpu.deviceId!);
  return [...new Set(ids)];
}

/**
 * The ARC minimum to write alongside the maximum, or undefined when the default is fine: ZFS
 * ignores `zfs_arc_max` when it is not above `zfs_arc_min` (default RAM/32), which happens on
 * nodes with more than 32 × the ARC limit of RAM. Half the maximum keeps the limit effective.
 */
export function arcMinBytes(node: ClusterNode): number | undefined {
  const byte = Size.bytes(1);
  const max = Size.bytes(gibToBytes(node.zfsArcMaxGib));
  if (!max.isPositive()) return undefined;
  const ram = Size.bytes(gibToBytes(node.memoryGib));
  return max.isAtMost(ram.dividedBy(32)) ? max.dividedBy(2).roundDown(byte).toBytes() : undefined;
}

/**
 * The storages whose content types the `proxmox-host-storage` playbook makes sure of on a node:
 * every datastore of the node (declared, or the installer's `local`) with its content from the
 * spec, except the storages Terraform creates itself at apply time (ZFS pools, Storage Boxes).
 */
export function storageContentVars(env: Environment, node: ClusterNode): { id: string; content: string[] }[] {
  const createdByTerraform = new Set([
    ...env.zfsPools.filter((p) => p.node === node.name).map((p) => p.storageId),
    ...env.storageBoxes.flatMap((b) => (b.proxmoxStorageId ? [b.proxmoxStorageId] : [])),
  ]);
  return node.datastores.filter((d) => !createdByTerraform.has(d.id)).map((d) => ({ id: d.id, content: [...d.content] }));
}

/** Host variables of one Proxmox node (the hypervisor itself). */
export function nodeHostVars(env: Environment, node: ClusterNode): HostVars {
  const guestsHere = env.guests.filter((g) => g.node === node.name);
  const users = new Map(guestsHere.flatMap((g) => g.gpus.map((gpu) => [gpu, g] as const)));
  const arcMin = arcMinBytes(node);
  return {
    // Without an address in the spec the node name is used: it must resolve through DNS, /etc/hosts or ssh_config.
    ansible_host: node.address ?? node.name,
    ansible_user: PROXMOX_NODE_USER,
    ansible_port: PROXMOX_NODE_SSH_PORT,
    pvestack_kind: 'proxmox-node',
    pvestack_cpu_threads: node.cpuThreads,
    pvestack_memory_gib: node.memoryGib,
    pvestack_gpus: node.gpus.map((gpu) => {
      const user = users.get(gpu.name);
      return { ...gpuVars(gpu), guest: user?.name ?? null, guest_kind: user?.kind ?? null };
    }),
    pvestack_vfio_ids: vfioIds(env, node),
    ...(node.nvidiaDriverVersion !== undefined ? { pvestack_nvidia_driver_version: node.nvidiaDriverVersion } : {}),
    pvestack_zfs_pools: env.zfsPools.filter((p) => p.node === node.name).map((p) => p.name),
    pvestack_zfs_arc_max_gib: node.zfsArcMaxGib,
    pvestack_zfs_arc_max_bytes: gibToBytes(node.zfsArcMaxGib),
    ...(arcMin !== undefined ? { pvestack_zfs_arc_min_bytes: arcMin } : {}),
    pvestack_storage_content: storageContentVars(env, node),
    pvestack_guests: guestsHere.map((g) => g.name),
    ...sysctlVars(nodeSysctlFiles(guestsHere)),
  };
}
