/**
 * A container template downloaded to a node (`proxmox_download_file`, content type `vztmpl`), the
 * file LXC containers are created from. One download per node and template volume id, shared by
 * every container that uses it; containers depend on it instead of assuming the file is there.
 */
import { Construct } from 'constructs';
import type { LxcSettings } from '../model';
import { checksumAlgorithm, parseTemplateVolid, SpecError } from '../model';
import { pve } from '../providers/proxmox';
import { stackSingleton } from './private/singleton';

export interface LxcTemplateProps {
  readonly nodeName: string;
  /** The guest's resolved LXC options: the volume id, the pinned URL and, when known, the checksum. */
  readonly lxc: LxcSettings;
  /** Spec path of the guest's `lxc`, for the error when two guests pin one file to different URLs. */
  readonly path: string;
}

/** A downloaded LXC template. `fileId` is the literal volume id containers name. */
export class LxcTemplate extends Construct {
  /** The stack's download of a template on a node, created on first use. */
  static forNode(scope: Construct, props: LxcTemplateProps): LxcTemplate {
    const id = `LxcTemplate-${props.nodeName}-${props.lxc.template.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const template = stackSingleton(scope, id, (stack) => new LxcTemplate(stack, id, props));
    if (template.url !== props.lxc.templateUrl)
      throw new SpecError(
        `${props.path}.templateUrl`,
        `downloads ${props.lxc.template} on ${props.nodeName} from another URL than ${template.firstPath} does`,
        `Use one URL per template file (${template.url}), or give this template another file name.`,
        props.lxc.templateUrl,
      );
    return template;
  }

  readonly resource: pve.downloadFile.DownloadFile;
  /** `<storage>:vztmpl/<file>`: the id the provider gives the download (`<datastore>:<content type>/<file name>`). */
  readonly fileId: string;
  readonly url: string;
  private readonly firstPath: string;

  constructor(scope: Construct, id: string, props: LxcTemplateProps) {
    super(scope, id);
    const volid = parseTemplateVolid(props.lxc.template);
    if (!volid) throw new SpecError(`${props.path}.template`, 'is not a template volume id', 'Write <storage>:vztmpl/<file>.tar.zst.', props.lxc.template);
    this.url = props.lxc.templateUrl;
    this.firstPath = props.path;
    const checksum = props.lxc.templateChecksum;
    // fwprovider/nodes/resource_download_file.go (v0.111.1): content_type `vztmpl` is what LXC
    // templates are downloaded as; the resource id is `<datastore>:vztmpl/<file_name>`, which is
    // exactly the template volume id, so containers keep naming it literally (a reference would be
    // unknown at plan time and replace every existing container: template_file_id is ForceNew in
    // proxmoxtf/resource/container/container.go).
    this.resource = new pve.downloadFile.DownloadFile(this, 'Resource', {
      nodeName: props.nodeName,
      datastoreId: volid.storage,
      contentType: 'vztmpl',
      url: this.url,
      fileName: volid.file,
      ...(checksum ? { checksum, checksumAlgorithm: checksumAlgorithm(checksum) } : {}),
      // The file name is versioned, so a changed size upstream is never a reason to download again.
      overwrite: false,
      // A template fetched earlier by hand (`pveam download`) is taken over instead of failing the
      // apply with "File already exists in the datastore": existing containers do not use the file.
      overwriteUnmanaged: true,
    });
    this.fileId = `${volid.storage}:vztmpl/${volid.file}`;
  }
}
