import { describe, expect, it } from 'vitest';
import type { RedisStackSpec } from '../../../model';
import { redisMemoryLimitMib, redisStack } from '../../../templates/stacks/redis';
import { testEnvironment } from '../fixtures';

describe('redis stack memory', () => {
  it.each([
    { persistence: 'aof', maxMemoryMib: 1024, limit: 2112 },
    { persistence: 'rdb', maxMemoryMib: 1024, limit: 2112 },
    { persistence: 'none', maxMemoryMib: 1024, limit: 1280 },
  ] as const)('$persistence: maxmemory $maxMemoryMib MiB → container limit $limit MiB', ({ persistence, maxMemoryMib, limit }) => {
    expect(redisMemoryLimitMib(maxMemoryMib, persistence !== 'none')).toBe(limit);
    const stack: RedisStackSpec = { kind: 'redis', passwordSecret: 'redis-password', persistence, maxMemoryMib };
    const env = testEnvironment([{ name: 'cache', role: 'cache', stacks: [stack] }]);
    const parts = redisStack({ env, guest: env.guests[0]!, gpus: [], options: {} }, stack);
    // The limit leaves room for a fork that copies every page of maxmemory (AOF rewrite / RDB save).
    expect(parts.services[0]!.memoryLimitMib).toBe(limit);
    if (persistence !== 'none') expect(parts.services[0]!.memoryLimitMib!).toBeGreaterThanOrEqual(2 * maxMemoryMib);
  });
});
