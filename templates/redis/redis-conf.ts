/**
 * redis.conf. The password is not here: the stack's entrypoint writes it from the env file into
 * a private include file at start, so it is never in argv, the compose file or this file.
 */
import type { RedisStackSpec } from '../../model';

export function renderRedisConf(stack: RedisStackSpec, port: number): string {
  const persistence = stack.persistence ?? 'aof';
  const lines = [
    '# Rendered by pvestack; change the environment spec, not this file.',
    'bind 0.0.0.0',
    `port ${port}`,
    'protected-mode yes',
    'dir /data',
    `# persistence: ${persistence}`,
    persistence === 'aof' ? 'appendonly yes' : 'appendonly no',
    ...(persistence === 'aof' ? ['appendfsync everysec'] : []),
    persistence === 'rdb' ? 'save 3600 1 300 100 60 10000' : 'save ""',
  ];
  if (stack.maxMemoryMib) lines.push(`maxmemory ${stack.maxMemoryMib}mb`);
  // BullMQ queues must never lose keys to eviction; a full cache then errors instead of dropping jobs.
  lines.push('maxmemory-policy noeviction');
  return `${lines.join('\n')}\n`;
}
