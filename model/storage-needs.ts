/**
 * Which content type the synthesized output needs on which datastore: what the checks verify
 * against the declared content and what the host playbook adds. Every VM gets a cloud-init snippet
 * (`snippets` on the node's snippet datastore) and a boot disk imported from a downloaded cloud
 * image (`import` on the image datastore); every container is created from a downloaded template
 * (`vztmpl` where its template volume lives); VM disks need `images`, container volumes `rootdir`.
 */
import type { ClusterNode, Datastore, Environment, Guest } from './environment';
import { parseTemplateVolid } from './lxc-template';
import type { StorageContentType } from './spec';

/** One content type a datastore of a node must hold, and why. */
export interface StorageNeed {
  readonly node: ClusterNode;
  readonly datastoreId: string;
  readonly content: StorageContentType;
  /** The guest that needs it. */
  readonly guest: Guest;
  /** What is stored there, for messages: `cloud-init snippet`, `cloud image`, ... */
  readonly what: string;
  /** Spec path of the field that chose the datastore. */
  readonly chosenAt: string;
}

/** Every (node, datastore, content type) the output needs, in guest order. */
export function storageNeeds(env: Environment): StorageNeed[] {
  const needs: StorageNeed[] = [];
  for (const guest of env.guests) {
    const node = env.cluster.nodes.find((n) => n.name === guest.node);
    if (!node || guest.kind === 'external') continue;
    const nodeAt = `cluster.nodes[${env.cluster.nodes.indexOf(node)}]`;
    const add = (datastoreId: string, content: StorageContentType, what: string, chosenAt: string) =>
      needs.push({ node, datastoreId, content, guest, what, chosenAt });
    // An adopted guest exists already: its image, cloud-init and template are not downloaded or uploaded.
    if (guest.adopt) {
      // nothing but its disks below
    } else if (guest.kind === 'vm') {
      add(node.snippetDatastore, 'snippets', 'cloud-init snippet', `${nodeAt}.snippetDatastore`);
      add(node.imageDatastore, 'import', 'cloud image', `${nodeAt}.imageDatastore`);
    } else if (guest.lxc) {
      const volid = parseTemplateVolid(guest.lxc.template);
      if (volid)
        add(
          volid.storage,
          'vztmpl',
          'container template',
          guest.lxc.template === `${node.templateDatastore}:vztmpl/${volid.file}` ? `${nodeAt}.templateDatastore` : `guests[${guest.index}].lxc.template`,
        );
    }
    guest.disks.forEach((d, j) =>
      add(
        d.datastore,
        guest.kind === 'vm' ? 'images' : 'rootdir',
        guest.kind === 'vm' ? `disk ${d.name}` : `volume ${d.name}`,
        `guests[${guest.index}].disks[${j}].datastore`,
      ),
    );
  }
  return needs;
}

/** The datastore a need names on its node, if the node has it. */
export function datastoreOfNeed(need: StorageNeed): Datastore | undefined {
  return need.node.datastores.find((d) => d.id === need.datastoreId);
}
