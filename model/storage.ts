/**
 * Facts about Proxmox storage content types, from pve-storage: which types each storage type can
 * hold (the first hash of `plugindata()->{content}` in `src/PVE/Storage/<Type>Plugin.pm`) and what a
 * storage holds when nobody set `content` (the second hash; the installer sets `local` itself).
 */
import type { DatastoreType, StorageContentType } from './spec';

/** Every content type, in the order Proxmox lists them. */
export const STORAGE_CONTENT_TYPES: readonly StorageContentType[] = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];

const FILE_BASED: readonly StorageContentType[] = STORAGE_CONTENT_TYPES;
const BLOCK: readonly StorageContentType[] = ['images', 'rootdir'];

/**
 * Content types each storage type supports. `DirPlugin.pm`, `NFSPlugin.pm`, `CIFSPlugin.pm`: all of
 * them; `LvmThinPlugin.pm`, `LVMPlugin.pm`, `ZFSPoolPlugin.pm`, `RBDPlugin.pm`: `images, rootdir`
 * (block storages cannot hold files such as snippets, templates or import images).
 */
export const SUPPORTED_CONTENT: Readonly<Record<DatastoreType, readonly StorageContentType[]>> = {
  dir: FILE_BASED,
  nfs: FILE_BASED,
  cifs: FILE_BASED,
  lvmthin: BLOCK,
  lvm: BLOCK,
  zfspool: BLOCK,
  rbd: BLOCK,
};

/**
 * The installer's `local` directory storage (`/var/lib/vz`), as pve-installer
 * `Proxmox/Install/StorageConfig.pm` writes it into `/etc/pve/storage.cfg`: `iso,vztmpl,backup`
 * on Proxmox VE 8 ISOs; 9.x ISOs add `import` (installer commit "enable import content type by
 * default", 2025), but a node upgraded from 8 keeps the old line. No installer adds `snippets`.
 * The older, smaller set is assumed; declare `content` to say otherwise.
 */
export const INSTALLER_LOCAL_CONTENT: readonly StorageContentType[] = ['iso', 'vztmpl', 'backup'];

/** The content a storage has when the spec does not say: the installer's for `local`, else the plugin default. */
export function defaultContent(id: string, type: DatastoreType): readonly StorageContentType[] {
  if (id === 'local' && type === 'dir') return INSTALLER_LOCAL_CONTENT;
  switch (type) {
    case 'dir':
    case 'lvmthin':
    case 'zfspool':
      return ['images', 'rootdir'];
    case 'lvm':
    case 'rbd':
    case 'nfs':
    case 'cifs':
      return ['images'];
  }
}
