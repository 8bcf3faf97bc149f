/** IPv4 and CIDR value objects: parsed once, compared as integers. */

/** A dotted-quad IPv4 address, each part 0-255 without leading zeros. */
export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

export function ipv4ToInt(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** A parsed IPv4 network such as `10.20.0.0/24`. */
export class Cidr {
  private constructor(
    readonly network: number,
    readonly prefix: number,
  ) {}

  /** Returns undefined for anything that is not `a.b.c.d/n` with the host bits zero. */
  static tryParse(text: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
    if (!m || !isIpv4(m[1]!)) return undefined;
    const prefix = Number(m[2]);
    if (prefix > 32) return undefined;
    const addr = ipv4ToInt(m[1]!);
    const size = 2 ** (32 - prefix);
    if (addr % size !== 0) return undefined;
    return new Cidr(addr, prefix);
  }

  static parse(text: string): Cidr {
    const c = Cidr.tryParse(text);
    if (!c) throw new Error(`not a CIDR: ${text}`);
    return c;
  }

  get size(): number {
    return 2 ** (32 - this.prefix);
  }
  get broadcast(): number {
    return this.network + this.size - 1;
  }
  contains(ip: string): boolean {
    const v = ipv4ToInt(ip);
    return v >= this.network && v <= this.broadcast;
  }
  /** True when the whole of `other` lies inside this network. */
  covers(other: Cidr): boolean {
    return other.network >= this.network && other.broadcast <= this.broadcast;
  }
  toString(): string {
    return `${intToIpv4(this.network)}/${this.prefix}`;
  }
}

/** The text of a valid CIDR whose host bits are set, rewritten to its network (`10.0.0.5/24` → `10.0.0.0/24`), for hints. */
export function networkOf(text: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]!) || Number(m[2]) > 32) return undefined;
  const size = 2 ** (32 - Number(m[2]));
  return `${intToIpv4(Math.floor(ipv4ToInt(m[1]!) / size) * size)}/${m[2]}`;
}
