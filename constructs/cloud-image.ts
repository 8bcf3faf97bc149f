/**
 * A pinned cloud image downloaded to a node (`proxmox_download_file`, content type `import`), the
 * source VM boot disks are imported from. One download per node and image, shared by every VM.
 */
import { Construct } from 'constructs';
import { pve } from '../providers/proxmox';
import { contentHash } from './private/hash';
import { stackSingleton } from './private/singleton';

/** Ubuntu 24.04 LTS (noble) server cloud image, pinned to a dated release. */
export const UBUNTU_2404_IMAGE_URL = 'https://cloud-images.ubuntu.com/releases/noble/release-20260705/ubuntu-24.04-server-cloudimg-amd64.img';
/** sha256 of that image, from the release's SHA256SUMS. */
export const UBUNTU_2404_IMAGE_SHA256 = 'ffe6203da54deeb6db5d2a98a83f9ec8e55f149d3f7ba622e1abe5fa966ee3d6';

export interface CloudImageProps {
  readonly nodeName: string;
  /** Storage whose content includes `import`. @default 'local' */
  readonly datastoreId?: string;
  /** Image URL, pinned (a dated release, never `current`). @default UBUNTU_2404_IMAGE_URL */
  readonly url?: string;
  /** sha256 the node checks after download. @default UBUNTU_2404_IMAGE_SHA256 for the default URL, else none */
  readonly checksum?: string;
}

/**
 * The file name on the node. Proxmox decides the import format by extension and the Ubuntu
 * `.img` is qcow2, so it is renamed; the release directory is kept so two pins never collide.
 */
export function cloudImageFileName(url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const base = (parts[parts.length - 1] ?? 'image').replace(/\.img$/, '.qcow2');
  const release = parts.find((p) => /^release-\d+/.test(p));
  return release ? base.replace(/(\.[a-z0-9]+)$/, `-${release.slice('release-'.length)}$1`) : base;
}

/** A downloaded cloud image; `fileId` goes into a disk's `import_from`. */
export class CloudImage extends Construct {
  /** The stack's image for a node and URL, created on first use. */
  static forNode(scope: Construct, props: CloudImageProps): CloudImage {
    const url = props.url ?? UBUNTU_2404_IMAGE_URL;
    const id = `CloudImage-${props.nodeName}-${contentHash(url, 8)}`;
    return stackSingleton(scope, id, (stack) => new CloudImage(stack, id, props));
  }

  readonly resource: pve.downloadFile.DownloadFile;
  /** Volume id, `local:import/<file>`. */
  readonly fileId: string;

  constructor(scope: Construct, id: string, props: CloudImageProps) {
    super(scope, id);
    const url = props.url ?? UBUNTU_2404_IMAGE_URL;
    const checksum = props.checksum ?? (url === UBUNTU_2404_IMAGE_URL ? UBUNTU_2404_IMAGE_SHA256 : undefined);
    this.resource = new pve.downloadFile.DownloadFile(this, 'Resource', {
      nodeName: props.nodeName,
      datastoreId: props.datastoreId ?? 'local',
      contentType: 'import',
      url,
      fileName: cloudImageFileName(url),
      ...(checksum ? { checksum, checksumAlgorithm: 'sha256' } : {}),
    });
    this.fileId = this.resource.id;
  }
}
