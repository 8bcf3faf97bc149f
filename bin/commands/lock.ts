/**
 * `pvestack lock status|release <env> <guest>`: shows or removes a host's deploy lock, e.g. after
 * a deploy died (CI job cancelled, laptop closed) and left it behind.
 */
import type { Command } from 'commander';
import { action } from '../command';
import { DEFAULT_KNOWN_HOSTS } from './deploy';

interface LockFlags {
  readonly identity?: string;
  readonly root: string;
  readonly knownHosts?: string;
}

/** The guest and an SSH session to it; the SSH and deploy modules load only when a lock verb runs. */
async function connectToGuest(envName: string, guestName: string, flags: LockFlags) {
  const { lockStatus, releaseLock } = require('../../deploy/commands') as typeof import('../../deploy/commands');
  const { Masker } = require('../../deploy/secrets') as typeof import('../../deploy/secrets');
  const { connect } = require('../../deploy/ssh') as typeof import('../../deploy/ssh');
  const { endpointFor, guestNamed } = require('../../deploy/targets') as typeof import('../../deploy/targets');
  const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
  const guest = guestNamed(loadEnvironment(envName), guestName);
  const remote = await connect(endpointFor(guest, { ...(flags.identity ? { identity: flags.identity } : {}), ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}) }), new Masker([]));
  return { guest, remote, lockStatus, releaseLock };
}

export function register(program: Command): void {
  const lock = program.command('lock').description("show or release a host's deploy lock");
  const common = (cmd: Command) =>
    cmd
      .argument('<env>', 'environment name or spec file')
      .argument('<guest>', 'guest name')
      .option('-i, --identity <file>', 'SSH private key (default: the SSH agent)')
      .option('--root <dir>', 'deploy root on the host', '/opt/pvestack')
      .option('--known-hosts <file>', 'extra known_hosts file of accepted host keys', DEFAULT_KNOWN_HOSTS);

  common(lock.command('status').description('who holds the deploy lock, since when, which commit')).action(
    action(async (ctx, envName: string, guestName: string, flags: LockFlags) => {
      const { guest, remote, lockStatus } = await connectToGuest(envName, guestName, flags);
      try {
        const out = (await remote.run(lockStatus(flags.root))).stdout.trim();
        const info = out ? (JSON.parse(out) as Record<string, unknown>) : null;
        ctx.reporter.result({ guest: guest.name, locked: info !== null, ...(info ? { lock: info } : {}) });
        ctx.reporter.info(info ? `${guest.name}: locked by ${String(info.holder ?? 'unknown')} since ${String(info.since ?? 'unknown')} (commit ${String(info.commit ?? 'unknown')})` : `${guest.name}: not locked`);
        return 0;
      } finally {
        remote.close();
      }
    }),
  );
  common(lock.command('release').description('remove the deploy lock (only when the deploy holding it is dead)')).action(
    action(async (ctx, envName: string, guestName: string, flags: LockFlags) => {
      const { guest, remote, releaseLock } = await connectToGuest(envName, guestName, flags);
      try {
        await remote.run(releaseLock(flags.root));
        ctx.reporter.result({ guest: guest.name, released: true });
        ctx.reporter.info(`${guest.name}: deploy lock released`);
        return 0;
      } finally {
        remote.close();
      }
    }),
  );
}
