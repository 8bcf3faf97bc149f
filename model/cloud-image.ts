/**
 * The pinned default cloud image and the file name a download of it gets on the node. Facts, not
 * a resource: the `CloudImage` construct downloads it, and `doctor` looks for it on the node.
 */

/** Ubuntu 24.04 LTS (noble) server cloud image, pinned to a dated release. */
export const UBUNTU_2404_IMAGE_URL = 'https://cloud-images.ubuntu.com/releases/noble/release-20260705/ubuntu-24.04-server-cloudimg-amd64.img';
/** sha256 of that image, from the release's SHA256SUMS. */
export const UBUNTU_2404_IMAGE_SHA256 = 'ffe6203da54deeb6db5d2a98a83f9ec8e55f149d3f7ba622e1abe5fa966ee3d6';

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
