/**
 * Port value objects: `Port.tcp(5432)`, `Port.tcpRange(8000, 8010)`. The reachability matrix, the
 * firewall constructs and the checks all carry ports as this type, never as `tcp/5432` text.
 */

/** A transport protocol a firewall rule and a listener name. */
export type Proto = 'tcp' | 'udp';

/** A TCP or UDP port or inclusive port range, validated once when created. */
export class Port {
  private constructor(
    readonly protocol: Proto,
    readonly fromPort: number,
    readonly toPort: number,
  ) {}

  static tcp(port: number): Port {
    return Port.range('tcp', port, port);
  }
  static udp(port: number): Port {
    return Port.range('udp', port, port);
  }
  static tcpRange(from: number, to: number): Port {
    return Port.range('tcp', from, to);
  }
  static udpRange(from: number, to: number): Port {
    return Port.range('udp', from, to);
  }

  /** Parses the spec's and the reachability matrix's forms: `tcp/5432`, `udp/53`, `tcp/8000-8010`. */
  static parse(text: string): Port {
    const m = /^(tcp|udp)\/(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
    if (!m) throw new RangeError(`not a port: ${JSON.stringify(text)}; write tcp/5432, udp/53 or tcp/8000-8010`);
    return Port.range(m[1] as Proto, Number(m[2]), Number(m[3] ?? m[2]));
  }

  private static range(protocol: Proto, from: number, to: number): Port {
    for (const p of [from, to]) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`port ${p} is out of range; ports are integers from 1 to 65535`);
    }
    if (from > to) throw new RangeError(`port range ${from}-${to} is reversed; write the lower port first`);
    return new Port(protocol, from, to);
  }

  /** Whether `port` lies inside this port or range (same protocol when `proto` is given). */
  contains(port: number, proto?: Proto): boolean {
    return (proto === undefined || proto === this.protocol) && port >= this.fromPort && port <= this.toPort;
  }

  /** Whether two ports are the same protocol and range. */
  equals(other: Port): boolean {
    return this.protocol === other.protocol && this.fromPort === other.fromPort && this.toPort === other.toPort;
  }

  /** The port as Proxmox writes `dport`: `5432` or `8000:8010`. */
  toProxmoxDport(): string {
    return this.fromPort === this.toPort ? String(this.fromPort) : `${this.fromPort}:${this.toPort}`;
  }

  /** The port as the reachability matrix writes it: `5432` or `8000-8010`. */
  toFlowPort(): string {
    return this.fromPort === this.toPort ? String(this.fromPort) : `${this.fromPort}-${this.toPort}`;
  }

  /** `tcp/5432`, `tcp/8000-8010`. */
  toString(): string {
    return `${this.protocol}/${this.toFlowPort()}`;
  }
}
