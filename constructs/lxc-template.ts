/**
 * A container template downloaded to a node (`proxmox_download_file`, content type `vztmpl`), the
 * file LXC containers are created from. One download per node and template volume id, shared by
 * every container that uses it; containers depend on it instead of assuming the file is there.
 */
import { Construct } from 'constructs';
import { checksumAlgorithm, DEFAULT_LXC_TEMPLATE_FILE, DEFAULT_LXC_TEMPLATE_SHA512, DEFAULT_LXC_TEMPLATE_URL, parseTemplateVolid, SpecError } from '../model';
import { pve } from '../providers/proxmox';
import { stackSingleton } from './private/singleton';

export interface LxcTemplateProps {
  readonly nodeName: string;
  /** Template volume id the download creates, `<storage>:vztmpl/<file>`. @default the Ubuntu 24.04 standard template on `local` */
  readonly template?: string;
  /** Pinned URL the node downloads the file from. @default DEFAULT_LXC_TEMPLATE_URL (the Ubuntu 24.04 standard template) */
  readonly templateUrl?: string;
  /** sha512 or sha256 (hex) the node checks after the download. @default DEFAULT_LXC_TEMPLATE_SHA512 without a templateUrl (the default template), else none */
  readonly templateChecksum?: string;
  /**
   * Where `template` and `templateUrl` were given, named in errors: the guest's `lxc` in a spec
   * (`guests[3].lxc`), or the props of a construct used on its own.
   * @default 'props'
   */
  readonly path?: string;
}

/** The default template's volume id on `local`, the storage every Proxmox node has. */
const DEFAULT_TEMPLATE = `local:vztmpl/${DEFAULT_LXC_TEMPLATE_FILE}`;

/** A downloaded LXC template. `fileId` is the literal volume id containers name. */
export class LxcTemplate extends Construct {
  /** The stack's download of a template on a node, created on first use. */
  static forNode(scope: Construct, props: LxcTemplateProps): LxcTemplate {
    const volid = props.template ?? DEFAULT_TEMPLATE;
    const url = props.templateUrl ?? DEFAULT_LXC_TEMPLATE_URL;
    const id = `LxcTemplate-${props.nodeName}-${volid.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const template = stackSingleton(scope, id, (stack) => new LxcTemplate(stack, id, props));
    if (template.url !== url)
      throw new SpecError(
        `${props.path ?? 'props'}.templateUrl`,
        `downloads ${volid} on ${props.nodeName} from another URL than ${template.firstPath} does`,
        `Use one URL per template file (${template.url}), or give this template another file name.`,
        url,
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
    const template = props.template ?? DEFAULT_TEMPLATE;
    const volid = parseTemplateVolid(template);
    if (!volid) throw new SpecError(`${props.path ?? 'props'}.template`, 'is not a template volume id', 'Write <storage>:vztmpl/<file>.tar.zst.', template);
    // The default URL serves only the default file: another file downloaded from it would be Ubuntu under a wrong name.
    if (props.templateUrl === undefined && volid.file !== DEFAULT_LXC_TEMPLATE_FILE)
      throw new SpecError(
        `${props.path ?? 'props'}.templateUrl`,
        `is required for template ${volid.file}`,
        'Give the pinned URL the node downloads it from (and templateChecksum), as `pveam available --section system` lists it.',
      );
    this.url = props.templateUrl ?? DEFAULT_LXC_TEMPLATE_URL;
    this.firstPath = props.path ?? 'props';
    // The default template's checksum is the one Proxmox's template index publishes (see DEFAULT_LXC_TEMPLATE_SHA512).
    const checksum = props.templateChecksum ?? (props.templateUrl === undefined ? DEFAULT_LXC_TEMPLATE_SHA512 : undefined);
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
