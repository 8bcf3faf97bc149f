/**
 * `pvestack lock status|release <env> <guest>`: shows or removes a host's deploy lock, e.g. after
 * a deploy died (CI job cancelled, laptop closed) and left it behind. Status judges the lock with
 * the same function a deploy uses (`deploy/lock.ts`), so both say the same thing about it.
 */
import * as os from 'node:os';
import type { Command } from 'commander';
import { OperationError } from '../../model/errors';
import { action } from '../command';
import { DEFAULT_DEPLOY_ROOT, DEFAULT_KNOWN_HOSTS } from './deploy';

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
      .option('--root <dir>', 'deploy root on the host', DEFAULT_DEPLOY_ROOT)
      .option('--known-hosts <file>', 'extra known_hosts file of accepted host keys', DEFAULT_KNOWN_HOSTS);

  /** The guest and an SSH session to it; the SSH and deploy modules load only when a lock verb runs. */
  const onGuest = async (envName: string, guestName: string, flags: LockFlags) => {
    const { connect } = require('../../deploy/ssh') as typeof import('../../deploy/ssh');
    const { Masker } = require('../../deploy/secrets') as typeof import('../../deploy/secrets');
    const { endpointFor, guestNamed } = require('../../deploy/targets') as typeof import('../../deploy/targets');
    const { loadEnvironment } = require('../../stacks/registry') as typeof import('../../stacks/registry');
    const env = loadEnvironment(envName);
    const guest = guestNamed(env, guestName);
    const remote = await connect(
      endpointFor(guest, { ...(flags.identity ? { identity: flags.identity } : {}), ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}) }),
      new Masker([]),
    );
    return { guest, remote, where: `${guest.sshUser}@${guest.ipv4}:${flags.root}` };
  };

  common(lock.command('status').description('who holds the deploy lock (run, process, machine, start, heartbeat) and whether it is stale')).action(
    action(async (ctx, envName: string, guestName: string, flags: LockFlags) => {
      const { lockStatus } = require('../../deploy/commands') as typeof import('../../deploy/commands');
      const { parseHostState } = require('../../deploy/host-state') as typeof import('../../deploy/host-state');
      const { describeLock, judgeLock, pidAlive } = require('../../deploy/lock') as typeof import('../../deploy/lock');
      const { guest, remote, where } = await onGuest(envName, guestName, flags);
      try {
        const out = (await remote.run(lockStatus(flags.root))).stdout;
        const state = parseHostState(out);
        const rootExists = /^root yes$/m.test(out);
        if (!state.lock) {
          ctx.reporter.result({ guest: guest.name, root: flags.root, rootExists, locked: false });
          ctx.reporter.info(`${guest.name}: not locked (${where}${rootExists ? '' : ' does not exist: is --root right?'})`);
          return 0;
        }
        const judged = judgeLock(state.lock.info, state.lock.mtime, state.now, { machine: os.hostname(), alive: pidAlive });
        ctx.reporter.result({
          guest: guest.name,
          root: flags.root,
          locked: true,
          stale: judged.stale,
          reason: judged.reason,
          heartbeatAgeSeconds: judged.ageSeconds,
          lock: judged.info,
        });
        ctx.reporter.info(`${guest.name}: locked, ${describeLock(judged)}`);
        return 0;
      } finally {
        remote.close();
      }
    }),
  );
  common(lock.command('release').description('remove the deploy lock (only when the deploy holding it is dead)')).action(
    action(async (ctx, envName: string, guestName: string, flags: LockFlags) => {
      const { NO_LOCK_EXIT, releaseLock } = require('../../deploy/commands') as typeof import('../../deploy/commands');
      const { guest, remote, where } = await onGuest(envName, guestName, flags);
      try {
        const r = await remote.run(releaseLock(flags.root), { okCodes: [0, NO_LOCK_EXIT] });
        if (r.code === NO_LOCK_EXIT) {
          throw new OperationError(
            `${guest.name}: nothing released: there is no deploy lock at ${where}/.lock`,
            `Check --root (the deploy's root, default ${DEFAULT_DEPLOY_ROOT}); 'pvestack lock status' with the same arguments shows the lock`,
          );
        }
        ctx.reporter.result({ guest: guest.name, root: flags.root, released: true });
        ctx.reporter.info(`${guest.name}: deploy lock released (${where}/.lock)`);
        return 0;
      } finally {
        remote.close();
      }
    }),
  );
}
