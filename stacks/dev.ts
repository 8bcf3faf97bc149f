/**
 * Dev: the education platform's application layer on a developer's machine with docker compose
 * (`pvestack up dev`). No Proxmox resources: the laptop is an external host.
 */
import { defineEnvironment } from '../model';
import { ADMIN, SECRETS } from './education/cluster';

export default defineEnvironment({
  name: 'dev',
  description: 'Application layer on the local Docker engine: PostgreSQL, Redis, the app and the LLM API.',
  cluster: { nodes: [] },
  networks: [{ name: 'local', bridge: 'lo', cidr: '127.0.0.0/8', gateway: '127.0.0.1' }],
  admin: ADMIN,
  guests: [
    {
      name: 'laptop',
      kind: 'external',
      role: 'app',
      cores: 8,
      memoryGib: 16,
      ipv4: '127.0.0.1',
      stacks: [
        { kind: 'postgres', profile: 'web', maxConnections: 50, storage: 'ssd', database: 'edu', user: 'edu', passwordSecret: 'postgres-password' },
        { kind: 'redis', passwordSecret: 'redis-password', persistence: 'none' },
        {
          kind: 'nextjs',
          image: 'ghcr.io/example-edu/web:1.9.0-rc.1',
          port: 3000,
          env: { NODE_ENV: 'development', DATABASE_HOST: 'postgres', DATABASE_NAME: 'edu', REDIS_HOST: 'redis', OPENAI_BASE_URL: 'http://vllm:8000/v1' },
          secrets: ['postgres-password', 'redis-password', 'vllm-api-key', 'session-secret'],
        },
        {
          kind: 'vllm',
          model: 'Qwen/Qwen2.5-1.5B-Instruct',
          gpuMemoryUtilization: 0.85,
          maxModelLen: 4096,
          apiKeySecret: 'vllm-api-key',
        },
      ],
    },
  ],
  secrets: SECRETS,
});
