import { describe, expect, it } from 'vitest';
import { stackListeners } from '../../model';
import type { StackSpec } from '../../model';

describe('stackListeners', () => {
  it.each<[string, StackSpec, number[]]>([
    ['vllm default', { kind: 'vllm', model: 'm', gpuMemoryUtilization: 0.9, maxModelLen: 4096, apiKeySecret: 'k' }, [8000]],
    ['postgres on a custom port', { kind: 'postgres', database: 'app', passwordSecret: 'p', port: 15432 }, [15432]],
    ['one Next.js replica', { kind: 'nextjs', image: 'app:1' }, [3000]],
    ['three Next.js replicas on consecutive ports', { kind: 'nextjs', image: 'app:1', port: 4000, replicas: 3 }, [4000, 4001, 4002]],
    ['nginx proxy', { kind: 'nginx-proxy', serverName: 'a.example', upstreams: ['web'] }, [80, 443]],
    ['a worker listens on nothing', { kind: 'worker', image: 'w:1' }, []],
    [
      'compose publishes the host port',
      { kind: 'compose', name: 'x', services: [{ name: 's', image: 'i:1', ports: ['10.0.0.5:8081:80', '9000:9000/udp'] }] },
      [8081, 9000],
    ],
  ])('%s', (_, stack, ports) => {
    expect(stackListeners(stack).map((l) => l.port)).toEqual(ports);
  });

  it('names each replica as the renderer does', () => {
    expect(stackListeners({ kind: 'nextjs', image: 'app:1', replicas: 2 }).map((l) => l.service)).toEqual(['nextjs-1', 'nextjs-2']);
  });
});
