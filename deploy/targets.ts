/**
 * Which hosts a deploy reaches and what each runs, decided from the validated environment: every
 * guest with stacks (external hosts included), narrowed by `--only guest|stack`. Connection:
 * `guest.ipv4:guest.sshPort` as `guest.sshUser`, host keys from `guest.hostKeys` plus a known_hosts file.
 */
import type { Environment, Guest } from '../model';
import { UsageError } from '../model';
import type { RenderedStack } from '../templates/artifacts';
import { DEFAULT_DEPLOY_ROOT } from './commands';
import type { HostTarget } from './host-deploy';
import type { SshEndpoint } from './ssh';

export interface TargetOptions {
  /** Guest or stack names (`--only`); empty = everything. */
  readonly only?: readonly string[];
  readonly root?: string;
  readonly identity?: string;
  readonly knownHostsPath?: string;
  readonly trustOnFirstUseFile?: string;
}

/** How to reach a guest over SSH. */
export function endpointFor(guest: Guest, opts: TargetOptions = {}): SshEndpoint {
  return {
    host: guest.ipv4,
    port: guest.sshPort,
    user: guest.sshUser,
    hostKeys: guest.hostKeys,
    ...(opts.knownHostsPath ? { knownHostsPath: opts.knownHostsPath } : {}),
    ...(opts.trustOnFirstUseFile ? { trustOnFirstUseFile: opts.trustOnFirstUseFile } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
  };
}

/** The deploy targets of an environment; `--only` names that match nothing are a usage error. */
export function targetsFor(env: Environment, render: (env: Environment, guest: Guest) => RenderedStack[], opts: TargetOptions = {}): HostTarget[] {
  const only = opts.only ?? [];
  const withStacks = env.guests.filter((g) => g.stacks.length > 0);
  const targets: HostTarget[] = [];
  const matched = new Set<string>();
  for (const guest of withStacks) {
    const rendered = render(env, guest);
    const stacks = only.length === 0 || only.includes(guest.name) ? rendered : rendered.filter((s) => only.includes(s.name));
    if (only.includes(guest.name)) matched.add(guest.name);
    for (const s of stacks) if (only.includes(s.name)) matched.add(s.name);
    if (stacks.length > 0) targets.push({ guest: guest.name, endpoint: endpointFor(guest, opts), root: opts.root ?? DEFAULT_DEPLOY_ROOT, stacks });
  }
  const unknown = only.filter((n) => !matched.has(n));
  if (unknown.length > 0) {
    const names = [...new Set([...withStacks.map((g) => g.name), ...targets.flatMap((t) => t.stacks.map((s) => s.name))])];
    throw new UsageError(
      `--only ${unknown.join(', ')}: no guest with stacks or stack of that name in ${env.name}`,
      `Choose from: ${names.join(', ') || '(no guest has stacks)'}`,
    );
  }
  return targets;
}

/** The guest a `lock` command addresses (it must exist; stacks are not required). */
export function guestNamed(env: Environment, name: string): Guest {
  const guest = env.guests.find((g) => g.name === name);
  if (!guest) throw new UsageError(`no guest named ${JSON.stringify(name)} in ${env.name}`, `Choose from: ${env.guests.map((g) => g.name).join(', ')}`);
  return guest;
}
