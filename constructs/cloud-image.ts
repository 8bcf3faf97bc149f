/**
 * A pinned cloud image downloaded to a node (`proxmox_download_file`, content type `import`), the
 * source VM boot disks are imported from. One download per node and image, shared by every VM.
 */
import { Construct } from 'constructs';
import { cloudImageFileName, UBUNTU_2404_IMAGE_SHA256, UBUNTU_2404_IMAGE_URL } from '../model';
import { pve } from '../providers/proxmox';
import { contentHash } from './private/hash';
import { stackSingleton } from './private/singleton';

export { UBUNTU_2404_IMAGE_SHA256, UBUNTU_2404_IMAGE_URL, cloudImageFileName };

export interface CloudImageProps {
  readonly nodeName: string;
  /** Storage whose content includes `import`. @default 'local' */
  readonly datastoreId?: string;
  /** Image URL, pinned (a dated release, never `current`). @default UBUNTU_2404_IMAGE_URL */
  readonly url?: string;
  /** sha256 the node checks after download. @default UBUNTU_2404_IMAGE_SHA256 for the default URL, else none */
  readonly checksum?: string;
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
