/**
 * `pvestack lock status|release <env> <guest>`: shows or removes a host's deploy lock, e.g. after
 * a deploy died (CI job cancelled, laptop closed) and left it behind.
 */
import type { Command } from 'commander';
import { lockStatus, releaseLock } from '../../deploy/commands';
import { Masker } from '../../deploy/secrets';
import { connect } from '../../deploy/ssh';
import { endpointFor, guestNamed } from '../../deploy/targets';
import { loadEnvironment } from '../../stacks/registry';
import { action } from '../command';
import { DEFAULT_KNOWN_HOSTS } from './deploy';

interface LockFlags {
  readonly identity?: string;
  readonly root: string;
  readonly knownHosts?: string;
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
      const env = loadEnvironment(envName);
      const guest = guestNamed(env, guestName);
      const remote = await connect(endpointFor(guest, { ...(flags.identity ? { identity: flags.identity } : {}), ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}) }), new Masker([]));
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
      const env = loadEnvironment(envName);
      const guest = guestNamed(env, guestName);
      const remote = await connect(endpointFor(guest, { ...(flags.identity ? { identity: flags.identity } : {}), ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}) }), new Masker([]));
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
