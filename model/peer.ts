/** Where firewall traffic comes from: `Peer.anyIpv4()`, `Peer.cidr(...)`, `Peer.ipSet(...)`. */
import { Cidr, isIpv4 } from './net';

/** A traffic source a firewall rule can name. */
export interface IPeer {
  /** Stable identity used to deduplicate rules, e.g. `cidr:10.0.0.0/24`. */
  readonly peerId: string;
  /** The Proxmox rule `source`; undefined means any address. */
  readonly ruleSource: string | undefined;
}

const IPSET_NAME = /^[A-Za-z][A-Za-z0-9_-]+$/;

/** Factories for peers; each validates its input once. */
export class Peer {
  private constructor() {}

  /** Any IPv4 address: the internet. */
  static anyIpv4(): IPeer {
    return { peerId: 'any-ipv4', ruleSource: undefined };
  }

  /** An IPv4 network, `198.51.100.0/24`; host bits must be zero. */
  static cidr(text: string): IPeer {
    const cidr = Cidr.tryParse(text);
    if (!cidr) throw new RangeError(`not an IPv4 CIDR with zero host bits: ${JSON.stringify(text)}; write e.g. 198.51.100.0/24`);
    return cidr.prefix === 32 ? Peer.host(text.split('/')[0]!) : { peerId: `cidr:${cidr}`, ruleSource: cidr.toString() };
  }

  /** One IPv4 address. */
  static host(ip: string): IPeer {
    if (!isIpv4(ip)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
    return { peerId: `host:${ip}`, ruleSource: ip };
  }

  /** A Proxmox IP set by name (cluster-level), referenced as `+name`. */
  static ipSet(name: string): IPeer {
    if (!IPSET_NAME.test(name)) throw new RangeError(`not a Proxmox IP set name: ${JSON.stringify(name)}; use a letter followed by letters, digits, _ or -`);
    return { peerId: `ipset:${name}`, ruleSource: `+${name}` };
  }
}
