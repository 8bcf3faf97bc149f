/**
 * Proxmox "property strings": the `key=value,key=value` values of guest config keys (`scsi0`,
 * `net0`, `mp0`, ...) and of PCI mapping entries, parsed the way pve-common's
 * `PVE::JSONSchema::parse_property_string` reads them: a leading bare value belongs to the
 * format's default key (`file` for disks, `volume` for mount points).
 */

/** Parses `local-lvm:vm-100-disk-1,size=200G` into `{ file: 'local-lvm:vm-100-disk-1', size: '200G' }`. */
export function parsePropertyString(text: string, defaultKey?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (defaultKey && out[defaultKey] === undefined) out[defaultKey] = part;
      else out[part] = '1';
      continue;
    }
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Proxmox sizes (`200G`, `4M`, `1T`, `512`: bytes without unit) in GiB. */
export function sizeToGib(size: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  if (!m) return undefined;
  const factor: Record<string, number> = { '': 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 };
  return Number(m[1]) * factor[m[2]!.toUpperCase()]!;
}
