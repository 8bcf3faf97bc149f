/**
 * Proxmox "property strings": the `key=value,key=value` values of guest config keys (`scsi0`,
 * `net0`, `mp0`, ...) and of PCI mapping entries, parsed the way pve-common's
 * `PVE::JSONSchema::parse_property_string` reads them: a leading bare value belongs to the
 * format's default key (`file` for disks, `volume` for mount points).
 */
import { Size } from '../model';

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

/** Proxmox's size units (`size=200G` in a disk's property string; no unit means bytes), binary as Proxmox means them. */
const SIZE_UNITS: Readonly<Record<string, (n: number) => Size>> = {
  '': Size.bytes,
  K: Size.kib,
  M: Size.mib,
  G: Size.gib,
  T: (n) => Size.gib(n * 1024),
};

/** A Proxmox size (`200G`, `4M`, `1T`, `512`: bytes without unit), or undefined for anything else. */
export function parseProxmoxSize(size: string): Size | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  return m ? SIZE_UNITS[m[2]!.toUpperCase()]!(Number(m[1])) : undefined;
}

/** A Proxmox size in GiB. */
export function sizeToGib(size: string): number | undefined {
  return parseProxmoxSize(size)?.toGib();
}
