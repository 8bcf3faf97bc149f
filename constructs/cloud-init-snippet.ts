/**
 * cloud-init user-data uploaded to a node as a snippet (`proxmox_virtual_environment_file`,
 * `content_type = snippets`, `source_raw`). The file name carries a hash of the content, so an
 * edit uploads a new file and the VM's `user_data_file_id` changes with it — visible in a plan as
 * what it is (a replacement), never a silent in-place change.
 */
import { Construct } from 'constructs';
import { pve } from '../providers/proxmox';
import { contentHash } from './private/hash';

export interface CloudInitSnippetProps {
  readonly nodeName: string;
  /** Storage whose content includes `snippets`. @default 'local' */
  readonly datastoreId?: string;
  /** File name prefix, e.g. `production-web-1-user-data`. */
  readonly baseName: string;
  /** The `#cloud-config` text. */
  readonly userData: string;
  /** Keep the uploaded file even when `userData` changes (stateful guests keep their first file). @default false */
  readonly frozen?: boolean;
}

/** The snippet's file name: `<base>-<hash of content>.yaml`. */
export function snippetFileName(baseName: string, userData: string): string {
  return `${baseName}-${contentHash(userData)}.yaml`;
}

/** An uploaded cloud-init snippet; `fileId` (`local:snippets/<file>`) goes into `user_data_file_id`. */
export class CloudInitSnippet extends Construct {
  readonly resource: pve.virtualEnvironmentFile.VirtualEnvironmentFile;
  readonly fileName: string;
  readonly fileId: string;

  constructor(scope: Construct, id: string, props: CloudInitSnippetProps) {
    super(scope, id);
    this.fileName = snippetFileName(props.baseName, props.userData);
    this.resource = new pve.virtualEnvironmentFile.VirtualEnvironmentFile(this, 'Resource', {
      nodeName: props.nodeName,
      datastoreId: props.datastoreId ?? 'local',
      contentType: 'snippets',
      sourceRaw: { data: props.userData, fileName: this.fileName },
      // A stateful VM ignores a new user_data_file_id; replacing the file would delete the one it
      // still references, and Proxmox refuses to start a VM whose cicustom volume is missing.
      ...(props.frozen ? { lifecycle: { ignoreChanges: ['source_raw'] } } : {}),
    });
    this.fileId = this.resource.id;
  }
}
