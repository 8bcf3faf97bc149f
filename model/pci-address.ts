/**
 * A PCI address as `lspci -D` prints it (`0000:01:00.0`: domain, bus, device, function), parsed
 * once so that addresses compare by their numbers, not as text (`0000:0a:00.0` sorts before
 * `0000:10:00.0` whatever the case of the hex digits).
 */

const FORMAT = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

/** A validated PCI address. */
export class PciAddress {
  private constructor(
    readonly domain: number,
    readonly bus: number,
    readonly device: number,
    readonly fn: number,
  ) {}

  /** Parses `0000:01:00.0`; throws a RangeError naming the expected form otherwise. */
  static parse(text: string): PciAddress {
    const m = FORMAT.exec(text);
    if (!m) throw new RangeError(`not a PCI address: ${JSON.stringify(text)}; write it as lspci -D shows it, e.g. 0000:01:00.0`);
    return new PciAddress(parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16), Number(m[4]));
  }

  /** Orders by domain, bus, device, then function: the order the kernel enumerates devices in. */
  static compare(a: PciAddress, b: PciAddress): number {
    return a.domain - b.domain || a.bus - b.bus || a.device - b.device || a.fn - b.fn;
  }

  /** `0000:01:00`: the slot, every function of the card (how Proxmox maps a whole multi-function device). */
  toSlot(): string {
    return `${hex(this.domain, 4)}:${hex(this.bus, 2)}:${hex(this.device, 2)}`;
  }

  /** `0000:01:00.0`, lowercase as lspci prints it. */
  toString(): string {
    return `${this.toSlot()}.${this.fn}`;
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
