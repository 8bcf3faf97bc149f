/** Redis 7 with a password from the env file and explicit persistence (aof, rdb or none). */
import type { RedisStackSpec } from '../../model';
import { DEFAULT_PORTS, EXPORTER_PORTS, Size } from '../../model';
import { renderRedisConf } from '../redis/redis-conf';
import { publish, StackContext, StackParts } from './types';

export const REDIS_DEFAULT_IMAGE = 'redis:7.4-alpine';
export const REDIS_EXPORTER_IMAGE = 'oliver006/redis_exporter:v1.62.0';
/** redis_exporter's port, published on the Redis service (the exporter shares its network namespace). */
export const REDIS_EXPORTER_PORT = EXPORTER_PORTS.redis;
const AUTH_FILE = '/tmp/redis-auth.conf';

/**
 * Reads REDIS_PASSWORD from the environment, writes `requirepass` into a file only the redis
 * user can read, and hands over to the image's entrypoint (which drops root). Quotes and
 * backslashes are escaped for redis.conf's double-quoted strings.
 */
const ENTRYPOINT_SCRIPT = [
  'set -eu',
  'umask 077',
  `esc=$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')`,
  `printf 'requirepass "%s"\\n' "$esc" > ${AUTH_FILE}`,
  `chown redis:redis ${AUTH_FILE}`,
  'unset REDIS_PASSWORD',
  `exec docker-entrypoint.sh redis-server /usr/local/etc/redis/redis.conf --include ${AUTH_FILE}`,
].join('\n');

/**
 * The container's memory limit for a `maxmemory`. An AOF rewrite or RDB save forks the server, and
 * copy-on-write can touch every page while the child runs: "Redis can use up to 2 times the memory
 * normally used" (redis.io, "Redis administration" / "Memory"). With persistence the limit is twice
 * maxmemory plus 64 MiB for the process itself, so the fork is not OOM-killed; without it, 25 %
 * over maxmemory covers fragmentation and client buffers.
 */
export function redisMemoryLimitMib(maxMemoryMib: number, persistent: boolean): number {
  const maxmemory = Size.mib(maxMemoryMib);
  // compose's `mem_limit` is written in whole MiB (`<n>m`).
  const limit = persistent ? maxmemory.times(2).plus(Size.mib(64)) : maxmemory.times(1.25).roundUp(Size.mib(1));
  return limit.toMib();
}

export function redisStack(ctx: StackContext, stack: RedisStackSpec): StackParts {
  const port = stack.port ?? DEFAULT_PORTS.redis;
  const persistent = (stack.persistence ?? 'aof') !== 'none';
  return {
    services: [
      {
        name: 'redis',
        image: stack.image ?? REDIS_DEFAULT_IMAGE,
        entrypoint: ['sh', '-c', ENTRYPOINT_SCRIPT],
        ports: [publish(ctx.guest, port), publish(ctx.guest, REDIS_EXPORTER_PORT)],
        secretEnv: [{ variable: 'REDIS_PASSWORD', secret: stack.passwordSecret }],
        volumes: ['./redis.conf:/usr/local/etc/redis/redis.conf:ro', ...(persistent ? ['redis-data:/data'] : [])],
        // REDISCLI_AUTH keeps the password out of redis-cli's argv.
        healthcheck: {
          test: ['CMD-SHELL', `REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p ${port} ping | grep -q PONG`],
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 5,
        },
        stateful: persistent,
        ...(stack.maxMemoryMib ? { memoryLimitMib: redisMemoryLimitMib(stack.maxMemoryMib, persistent) } : {}),
      },
      {
        name: 'redis-exporter',
        image: REDIS_EXPORTER_IMAGE,
        networkMode: 'service:redis',
        env: { REDIS_ADDR: `redis://127.0.0.1:${port}`, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `:${REDIS_EXPORTER_PORT}` },
        secretEnv: [{ variable: 'REDIS_PASSWORD', secret: stack.passwordSecret }],
        dependsOn: ['redis'],
      },
    ],
    files: [{ path: 'redis.conf', content: renderRedisConf(stack, port) }],
  };
}
