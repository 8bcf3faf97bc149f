/**
 * The environment spec for deploy tests and the fan-out bench: external hosts that are the
 * harness's loopback sshds, reached as root with their pinned host keys and the client key of the
 * first one. One builder, so a test and the bench deploy to hosts described the same way.
 */
import * as fs from 'node:fs';
import type { TestSshd } from './sshd';

export interface LoopbackSpecOptions {
  readonly name: string;
  readonly description: string;
  readonly hosts: readonly TestSshd[];
  /** Guest name of the i-th host. */
  readonly guestName: (i: number) => string;
  /** The stacks the i-th host runs. */
  readonly stacks: (i: number) => readonly unknown[];
  readonly secrets?: Readonly<Record<string, { readonly env: string; readonly description: string }>>;
}

/** A plain spec object (ready for YAML) with one external guest per loopback host. */
export function loopbackHostsSpec(o: LoopbackSpecOptions): Record<string, unknown> {
  return {
    name: o.name,
    description: o.description,
    cluster: { nodes: [] },
    networks: [{ name: 'local', bridge: 'lo', cidr: '127.0.0.0/8', gateway: '127.0.0.1' }],
    admin: { cidrs: ['127.0.0.0/8'], sshKeys: [fs.readFileSync(`${o.hosts[0]!.privateKeyPath}.pub`, 'utf8').trim()] },
    guests: o.hosts.map((h, i) => ({
      name: o.guestName(i),
      kind: 'external',
      role: 'app',
      cores: 1,
      memoryGib: 1,
      ipv4: h.host,
      sshPort: h.port,
      sshUser: 'root',
      hostKeys: [h.hostPublicKey],
      stacks: o.stacks(i),
    })),
    ...(o.secrets ? { secrets: o.secrets } : {}),
  };
}
