/**
 * Preconditions on the Proxmox side that a first apply needs: datastores that accept what is
 * uploaded to them, a Proxmox VE release that knows what the output uses, credentials that may do
 * what the spec asks, and downloads that are verified.
 */
import { datastoreOfNeed, type Guest, storageNeeds, type StorageNeed, SUPPORTED_CONTENT } from '../../model';
import type { Issue, Rule } from '../types';
import { REDIS_KERNEL_RULES } from './redis-kernel';

/** The playbook that adds content types to the nodes' storages. */
export const STORAGE_PLAYBOOK = 'proxmox-host-storage';

const list = (xs: readonly string[]) => xs.join(', ');

export const datastoreContent: Rule = {
  id: 'PVE-HOST-001',
  family: 'host',
  severity: 'error',
  title: 'Each datastore the output writes to holds that content type (snippets, import, vztmpl, images, rootdir)',
  // pve-storage `src/PVE/API2/Storage/Status.pm`: download_url dies with "storage '<id>' is not
  // configured for content-type '<type>'" (cloud images, templates). Snippets go over SSH: the
  // provider only warns "the datastore does not support content type" (proxmoxtf/resource/file.go)
  // and then cannot list the file it wrote, since it reads files back filtered by content type
  // (ListDatastoreFiles); the VM's cicustom then names a volume Proxmox does not accept.
  check: ({ env }) => {
    const groups = new Map<string, StorageNeed[]>();
    for (const need of storageNeeds(env)) {
      const store = datastoreOfNeed(need);
      if (!store || store.content.includes(need.content)) continue;
      const key = `${need.node.name}|${need.datastoreId}|${need.content}`;
      groups.set(key, [...(groups.get(key) ?? []), need]);
    }
    return [...groups.values()].map((needs): Issue => {
      const first = needs[0]!;
      const store = datastoreOfNeed(first)!;
      const users = [...new Set(needs.map((n) => `${n.what} of ${n.guest.kind === 'vm' ? 'VM' : 'container'} ${n.guest.name}`))];
      const canHold = SUPPORTED_CONTENT[store.type].includes(first.content);
      const wanted = [...store.content, first.content];
      return {
        path: first.chosenAt,
        node: first.node.name,
        message: `datastore ${store.id} on ${first.node.name} holds ${list(store.content)} but not ${first.content}, which ${users.slice(0, 3).join(', ')}${
          users.length > 3 ? ` and ${users.length - 3} more` : ''
        } need${users.length === 1 ? 's' : ''}`,
        hint: canHold
          ? `Add ${first.content} to the content of ${store.id} on ${first.node.name} in the spec (datastores: [{ id: '${store.id}', type: '${
              store.type
            }', content: [${wanted.map((c) => `'${c}'`).join(', ')}] }]) and run \`pvestack ansible ${
              env.name
            } ${STORAGE_PLAYBOOK}\` before the apply: it runs \`pvesm set ${store.id} --content ${wanted.join(
              ',',
            )}\` on the node, keeping the types already there. Or choose a datastore that holds ${first.content} (${first.chosenAt}).`
          : `A ${store.type} storage cannot hold ${first.content} (it holds ${list(
              SUPPORTED_CONTENT[store.type],
            )}): choose a dir, nfs or cifs datastore such as local for ${first.chosenAt}.`,
      };
    });
  },
};

/** `8.4` → [8, 4]. */
function version(text: string): [number, number] {
  const [major, minor] = text.split('.').map(Number);
  return [major ?? 0, minor ?? 0];
}

function olderThan(a: string, b: string): boolean {
  const [x, y] = [version(a), version(b)];
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
}

/** The release that added the `import` content type (pve-storage 8.4 / `SupportImportContentType` in the provider). */
export const IMPORT_CONTENT_VERSION = '8.4';

export const proxmoxVersion: Rule = {
  id: 'PVE-HOST-002',
  family: 'host',
  severity: 'error',
  title: 'The cluster runs a Proxmox VE release that supports what the output uses',
  // The provider's proxmox/version/capabilities.go (SupportImportContentType: >= 8.4) and
  // fwprovider/nodes/resource_download_file.go ("the content type 'import' is not supported by the
  // Proxmox VE version"): VM boot disks are imported from a download with content type import.
  check: ({ env }) => {
    const vms = env.guests.filter((g) => g.kind === 'vm' && !g.adopt);
    if (vms.length === 0 || !olderThan(env.cluster.minProxmoxVersion, IMPORT_CONTENT_VERSION)) return [];
    return [
      {
        path: 'cluster.minProxmoxVersion',
        message: `cluster.minProxmoxVersion is ${env.cluster.minProxmoxVersion}, but the boot disks of ${vms.length === 1 ? 'VM' : 'VMs'} ${vms
          .map((g) => g.name)
          .join(', ')} are imported from a cloud image downloaded with content type import, which Proxmox VE supports from ${IMPORT_CONTENT_VERSION}`,
        hint: `Upgrade every node to Proxmox VE ${IMPORT_CONTENT_VERSION} or later (\`pveversion\` shows the release; \`apt update && apt full-upgrade\`), then set cluster.minProxmoxVersion: '${IMPORT_CONTENT_VERSION}'.`,
      },
    ];
  },
};

/** What of a container only root@pam may set, per pve-container `check_ct_modify_config_perm`. */
export function rootOnlyFeatures(guest: Guest): string[] {
  if (guest.kind !== 'lxc' || !guest.lxc) return [];
  const out: string[] = [];
  const docker = guest.stacks.length > 0;
  // constructs/lxc.ts turns on nesting and keyctl for containers that run Docker.
  if (docker && !guest.lxc.unprivileged) out.push('feature flags (nesting, keyctl) on a privileged container');
  else if (docker) out.push('the keyctl feature flag (Docker in an unprivileged container)');
  if (guest.gpus.length > 0) out.push('device passthrough (/dev/nvidia*) for its GPU');
  return out;
}

export const providerAuthMode: Rule = {
  id: 'PVE-HOST-003',
  family: 'host',
  severity: 'error',
  title: 'The provider authentication mode may set everything the spec asks for',
  // pve-container src/PVE/LXC.pm `check_ct_modify_config_perm` returns early only for root@pam; for
  // anyone else "changing feature flags (except nesting) is only allowed for root@pam", feature flags
  // of privileged containers and "configuring device passthrough is only allowed for root@pam".
  // An API token is never root@pam, even root@pam!token.
  check: ({ env }) => {
    if (env.cluster.providerAuth !== 'api-token') return [];
    return env.guests.flatMap((g): Issue[] => {
      const features = rootOnlyFeatures(g);
      if (features.length === 0) return [];
      return [
        {
          path: `guests[${g.index}]`,
          guest: g.name,
          message: `container ${g.name} needs ${features.join(
            ' and ',
          )}, which Proxmox allows only for root@pam, but cluster.providerAuth is api-token (an API token is refused with "only allowed for root@pam")`,
          hint: `Either apply as root@pam: set cluster.providerAuth: 'root-password' and give the provider PROXMOX_VE_USERNAME=root@pam and PROXMOX_VE_PASSWORD instead of PROXMOX_VE_API_TOKEN; or drop the feature: run ${
            g.name
          }'s ${g.gpus.length > 0 ? 'GPU workload' : 'Docker stacks'} in a VM (kind: vm), where ${
            g.gpus.length > 0 ? 'the GPU is passed by a PCI mapping a token may use' : 'Docker needs no container feature flags'
          }.`,
        },
      ];
    });
  },
};

export const templateChecksum: Rule = {
  id: 'PVE-HOST-004',
  family: 'host',
  severity: 'warning',
  title: 'Container templates are downloaded with a checksum the node verifies',
  check: ({ env }) => {
    const seen = new Set<string>();
    return env.guests.flatMap((g): Issue[] => {
      if (!g.lxc || g.adopt || g.lxc.templateChecksum || seen.has(`${g.node}|${g.lxc.template}`)) return [];
      seen.add(`${g.node}|${g.lxc.template}`);
      return [
        {
          path: `guests[${g.index}].lxc`,
          guest: g.name,
          message: `the template ${g.lxc.template} of container ${g.name} is downloaded from ${g.lxc.templateUrl} without a checksum, so a corrupted or altered file is not noticed`,
          hint: `Add lxc.templateChecksum: the sha512sum of the file as the Proxmox template index lists it (\`pveam update\`, then the sha512sum line for ${g.lxc.template
            .split('/')
            .pop()} in /var/lib/pve-manager/apl-info/download.proxmox.com), or \`sha512sum\` of a copy you verified.`,
        },
      ];
    });
  },
};

export const HOST_RULES: readonly Rule[] = [datastoreContent, proxmoxVersion, providerAuthMode, templateChecksum, ...REDIS_KERNEL_RULES];
