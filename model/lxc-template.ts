/**
 * LXC templates: where the default comes from and how a template volume id is read. A container's
 * `operating_system.template_file_id` is always a `download_file` of these (content `vztmpl`).
 */

/** The default template's file, as the Proxmox template index (`pveam available --section system`) lists it. */
export const DEFAULT_LXC_TEMPLATE_FILE = 'ubuntu-24.04-standard_24.04-2_amd64.tar.zst';
/** Where the Proxmox template server serves it; `pveam download` uses the same base URL. */
export const DEFAULT_LXC_TEMPLATE_URL = `http://download.proxmox.com/images/system/${DEFAULT_LXC_TEMPLATE_FILE}`;
/**
 * The default template's SHA-512, as Proxmox's template index lists it (pve-manager
 * `aplinfo/aplinfo.dat`, package `ubuntu-24.04-standard`, version 24.04-2: the `sha512sum` line that
 * `pveam download` itself verifies). The node checks the download against it, so a truncated or
 * altered file fails the apply instead of becoming a container's root file system.
 */
export const DEFAULT_LXC_TEMPLATE_SHA512 =
  '45c2978e6b97fe292ada95fe06834276015e5739a594db4de2fdfd830fa0c37942e8ae118fc1e32ffd9154b3f9378b592738b668ea3957db41f2907b86f219de';

/**
 * `<storage>:vztmpl/<file>` with a template extension pve-storage accepts (`$VZTMPL_EXT_RE_1` in
 * `src/PVE/Storage.pm`: `.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst`, `.tar.bz2`).
 */
export const LXC_TEMPLATE_VOLID = /^([a-zA-Z][a-zA-Z0-9_.-]*):vztmpl\/([A-Za-z0-9][A-Za-z0-9_.+-]*\.tar(\.(gz|xz|zst|bz2))?)$/;

/** The storage and file of a template volume id, or undefined if it is not one. */
export function parseTemplateVolid(volid: string): { readonly storage: string; readonly file: string } | undefined {
  const m = LXC_TEMPLATE_VOLID.exec(volid);
  return m ? { storage: m[1]!, file: m[2]! } : undefined;
}

/** The file name a URL downloads to (its last path segment). */
export function templateFileOfUrl(url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** The checksum algorithm a hex digest's length implies, as `download_file.checksum_algorithm` names it. */
export function checksumAlgorithm(hex: string): 'sha256' | 'sha512' {
  return hex.length === 128 ? 'sha512' : 'sha256';
}
