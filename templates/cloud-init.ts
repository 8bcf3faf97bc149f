/**
 * cloud-init user-data for a VM guest, uploaded as a Proxmox snippet. Pure: the same environment
 * gives byte-identical text (the snippet's file name carries its hash), and it never holds a
 * secret — Storage Box credentials and application secrets are shipped by the deployer.
 *
 * What it sets up: the admin user with its SSH keys, the qemu guest agent, Docker engine + the
 * compose plugin (from Docker's apt repository) on guests that run stacks, the NVIDIA driver and
 * container toolkit on GPU guests, data disks with a mount point, and Storage Box mount units.
 * Application stacks are not here: the deployer ships them, so a stack change never touches the VM.
 */
import { yamlText } from './yaml-text';
import type { Disk, Environment, Guest } from '../model';
import { gpusOf, networkOf } from '../model';
import { DATA_DISK_MARKER, MARKED_SUBDIRS } from './stacks/data-disk-guard';
import { REDIS_SYSCTL_CONTENT, REDIS_SYSCTL_PATH, runsRedis } from './redis/kernel-settings';
import { storageBoxGuestPlan } from './storage-box-guest';
import { STORAGE_BOX_SECRET_DIR, SystemdUnitFile } from './storage-box-units';

/** Docker's apt repository signing key (fingerprint published in Docker's install guide). */
export const DOCKER_APT_KEY_FINGERPRINT = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88';

/** Ubuntu's packaged NVIDIA server driver branch installed into GPU VMs. */
export const NVIDIA_VM_DRIVER_BRANCH = '570';

/**
 * NVIDIA container toolkit repository signing key (`https://nvidia.github.io/libnvidia-container/gpgkey`).
 * Given to cloud-init's apt module as `keyid`, so the key is in place before any apt run uses the source.
 */
export const NVIDIA_TOOLKIT_APT_KEY_FINGERPRINT = 'C95B321B61E88C1809C4F759DDCAE044F796ECB0';

/** The stable device path of a VM data disk: Proxmox exposes the disk serial under by-id. */
export function dataDiskDevice(disk: Disk): string {
  return `/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_${diskSerial(disk)}`;
}

/** The serial a data disk carries (Proxmox allows at most 20 characters). */
export function diskSerial(disk: Disk): string {
  return disk.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 20);
}

interface WriteFile {
  readonly path: string;
  readonly content: string;
  readonly owner: string;
  readonly permissions: string;
}

const RENDERED = new WeakMap<Environment, WeakMap<Guest, string>>();

/**
 * Renders the `#cloud-config` user-data of a VM guest. Pure, so each (environment, guest) is
 * rendered once: the VM's snippet in cdk.tf.json and its readable copy among the artifacts are
 * the same text (rendering it is a YAML serialization of a few kilobytes per VM).
 */
export function renderCloudInit(env: Environment, guest: Guest): string {
  let byGuest = RENDERED.get(env);
  if (!byGuest) RENDERED.set(env, (byGuest = new WeakMap()));
  let text = byGuest.get(guest);
  if (text === undefined) byGuest.set(guest, (text = renderCloudInitOnce(env, guest)));
  return text;
}

function renderCloudInitOnce(env: Environment, guest: Guest): string {
  const net = networkOf(env, guest);
  const docker = guest.stacks.length > 0;
  const gpu = gpusOf(env, guest).length > 0;
  const box = storageBoxGuestPlan(env, guest);
  const boxUnits = box.units;
  const dataDisks = guest.disks.slice(1).filter((d): d is Disk & { mountPoint: string } => d.mountPoint !== undefined);
  const user = env.admin.user;

  const doc: Record<string, unknown> = {
    hostname: guest.name,
    ...(net.domain ? { fqdn: `${guest.name}.${net.domain}` } : {}),
    manage_etc_hosts: true,
    users: [
      {
        name: user,
        gecos: 'pvestack admin',
        shell: '/bin/bash',
        groups: ['sudo'],
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
        ssh_authorized_keys: [...env.admin.sshKeys],
      },
    ],
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    package_upgrade: false,
    ...(docker ? { apt: { sources: aptSources(gpu) } } : {}),
    packages: packages(guest, docker, gpu, box.packages),
    ...(dataDisks.length > 0
      ? {
          fs_setup: dataDisks.map((d) => ({ label: d.name.slice(0, 16), filesystem: 'ext4', device: dataDiskDevice(d), partition: 'none', overwrite: false })),
          mounts: dataDisks.map((d) => [dataDiskDevice(d), d.mountPoint, 'ext4', 'defaults,nofail,discard', '0', '2']),
        }
      : {}),
    // An empty write_files fails the schema (minItems 1), so the key is left out instead.
    ...nonEmpty(
      'write_files',
      writeFiles(
        docker,
        runsRedis(guest),
        boxUnits,
        box.files.map((f) => ({ ...f, owner: 'root:root', permissions: '0644' })),
      ),
    ),
    runcmd: runcmd(
      user,
      docker,
      gpu && docker,
      runsRedis(guest),
      dataDisks.map((d) => d.mountPoint),
      boxUnits,
    ),
    ...(gpu ? { power_state: { mode: 'reboot', message: 'pvestack: rebooting to load the NVIDIA driver', condition: true } } : {}),
    final_message: `pvestack: ${guest.name} of ${env.name} is ready after $UPTIME seconds`,
  };
  return `#cloud-config\n${yamlText(doc)}`;
}

function nonEmpty<T>(key: string, items: readonly T[]): Record<string, readonly T[]> {
  return items.length > 0 ? { [key]: items } : {};
}

/**
 * Third-party apt repositories, each with its key. cloud-init's apt module (cc_apt_configure)
 * imports `keyid` into `$KEY_FILE` and writes the source in the same step, before the package
 * module installs anything, so no apt run ever sees a source whose key is missing.
 */
function aptSources(gpu: boolean): Record<string, { source: string; keyid: string }> {
  const sources: Record<string, { source: string; keyid: string }> = {
    'docker.list': {
      source: 'deb [arch=amd64 signed-by=$KEY_FILE] https://download.docker.com/linux/ubuntu $RELEASE stable',
      keyid: DOCKER_APT_KEY_FINGERPRINT,
    },
  };
  // NVIDIA's install guide writes this source with a signed-by keyring; the same here, with the key pinned.
  if (gpu)
    sources['nvidia-container-toolkit.list'] = {
      source: 'deb [arch=amd64 signed-by=$KEY_FILE] https://nvidia.github.io/libnvidia-container/stable/deb/amd64 /',
      keyid: NVIDIA_TOOLKIT_APT_KEY_FINGERPRINT,
    };
  return sources;
}

function packages(guest: Guest, docker: boolean, gpu: boolean, boxPackages: readonly string[]): string[] {
  const list = ['qemu-guest-agent', 'ca-certificates', 'curl', 'gnupg'];
  if (docker) list.push('docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin');
  if (gpu) list.push(`nvidia-headless-${NVIDIA_VM_DRIVER_BRANCH}-server`, `nvidia-utils-${NVIDIA_VM_DRIVER_BRANCH}-server`);
  if (gpu && docker) list.push('nvidia-container-toolkit');
  list.push(...boxPackages);
  return list;
}

function writeFiles(docker: boolean, redis: boolean, units: readonly SystemdUnitFile[], boxFiles: readonly WriteFile[] = []): WriteFile[] {
  const files: WriteFile[] = [];
  if (docker) {
    // Rotated container logs, so a chatty service cannot fill the root disk.
    const daemon = { 'log-driver': 'json-file', 'log-opts': { 'max-size': '20m', 'max-file': '5' } };
    files.push({ path: '/etc/docker/daemon.json', content: `${JSON.stringify(daemon, null, 2)}\n`, owner: 'root:root', permissions: '0644' });
  }
  if (redis) {
    // Redis forks for AOF rewrites and RDB saves; with the kernel's heuristic overcommit the fork
    // can fail under memory pressure, and Redis warns at start ("Memory overcommit must be enabled")
    // and asks for `vm.overcommit_memory = 1` (redis.io "Redis administration"; src/syscheck.c).
    // Not namespaced: for an LXC guest the proxmox-host-sysctl playbook sets it on the Proxmox node
    // (templates/redis/kernel-settings.ts).
    files.push({ path: REDIS_SYSCTL_PATH, content: REDIS_SYSCTL_CONTENT, owner: 'root:root', permissions: '0644' });
  }
  for (const unit of units) files.push({ path: unit.path, content: unit.content, owner: 'root:root', permissions: '0644' });
  files.push(...boxFiles);
  return files;
}

function runcmd(user: string, docker: boolean, toolkit: boolean, redis: boolean, dataMounts: readonly string[], units: readonly SystemdUnitFile[]): string[][] {
  const cmds: string[][] = [['systemctl', 'enable', '--now', 'qemu-guest-agent']];
  if (redis) cmds.push(['sysctl', '-p', REDIS_SYSCTL_PATH]);
  if (docker) {
    // Added here rather than in `users`: a docker group created before the package makes its postinst fail.
    cmds.push(['usermod', '-aG', 'docker', user], ['systemctl', 'enable', '--now', 'docker']);
  }
  if (toolkit) {
    // The toolkit came with the packages (its source and key from the apt module); NVIDIA's
    // documented last step registers its runtime with Docker.
    cmds.push(['nvidia-ctk', 'runtime', 'configure', '--runtime=docker'], ['systemctl', 'restart', 'docker']);
  }
  // Mark each data disk once it is really mounted (not the empty directory a missing `nofail` disk
  // leaves): services that keep their data there refuse to start without the marker
  // (templates/stacks/data-disk-guard.ts). `data/` is where PostgreSQL's volume lives; vLLM's model
  // cache is the mount point itself.
  for (const mountPoint of dataMounts) {
    const subdirs = MARKED_SUBDIRS.map((d) => `${mountPoint}/${d}`);
    const markers = [mountPoint, ...subdirs].map((d) => `${d}/${DATA_DISK_MARKER}`);
    cmds.push(['sh', '-c', `mountpoint -q ${mountPoint} && mkdir -p ${subdirs.join(' ')} && touch ${markers.join(' ')}`]);
  }
  // The deployer writes Storage Box credentials here (mode 0600) before the first access.
  cmds.push(['install', '-d', '-m', '0700', STORAGE_BOX_SECRET_DIR]);
  if (units.length > 0) {
    cmds.push(['systemctl', 'daemon-reload']);
    for (const unit of units.filter((u) => u.enable)) cmds.push(['systemctl', 'enable', '--now', unit.name]);
  }
  return cmds;
}
