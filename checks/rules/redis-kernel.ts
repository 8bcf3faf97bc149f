/**
 * Redis's kernel setting where pvestack cannot make it. Redis forks for AOF rewrites and RDB
 * saves and asks for `vm.overcommit_memory = 1` so the fork cannot fail under memory pressure
 * (redis.io, "Redis administration"; `checkOvercommit` in redis src/syscheck.c). pvestack sets it
 * on VMs (cloud-init), external hosts (guest-baseline playbook) and the nodes of Redis containers
 * (proxmox-host-sysctl playbook), but not on the machine a loopback guest stands for: a developer's
 * laptop, whose kernel is its own or Docker Desktop's VM.
 */
import type { Guest, RedisStackSpec } from '../../model';
import type { Issue, Rule } from '../types';

function persistentRedis(g: Guest): { stack: RedisStackSpec; index: number }[] {
  return g.stacks.flatMap((s, index) => (s.kind === 'redis' && (s.persistence ?? 'aof') !== 'none' ? [{ stack: s, index }] : []));
}

export const redisOvercommitPrepared: Rule = {
  id: 'PVE-HOST-005',
  family: 'host',
  severity: 'warning',
  title: 'Redis with persistence runs where pvestack sets vm.overcommit_memory = 1',
  check: ({ env }) =>
    env.guests
      .filter((g) => g.kind === 'external' && g.ipv4.startsWith('127.'))
      .flatMap((g) =>
        persistentRedis(g).map(({ stack, index }): Issue => ({
          path: `guests[${g.index}].stacks[${index}]`,
          guest: g.name,
          message: `Redis on ${g.name} (${g.ipv4}, this machine) keeps ${
            stack.persistence ?? 'aof'
          } persistence, but pvestack prepares no kernel setting on the local machine: without vm.overcommit_memory = 1 a background save or AOF rewrite can fail to fork under memory pressure`,
          hint: `Set it on the machine that runs Docker (Linux: \`echo 'vm.overcommit_memory = 1' | sudo tee /etc/sysctl.d/60-redis.conf && sudo sysctl -p /etc/sysctl.d/60-redis.conf\`; Docker Desktop: in its VM), or use persistence: 'none' for a throwaway local cache.`,
        })),
      ),
};

export const REDIS_KERNEL_RULES: readonly Rule[] = [redisOvercommitPrepared];
