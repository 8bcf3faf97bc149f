/** Small validated environments for renderer tests. */
import type { EnvironmentSpec, GuestSpec } from '../../model';
import { validateEnvironment } from '../../model';

export const TEST_SECRETS = {
  'vllm-key': { env: 'T_VLLM_KEY', description: 'test secret k' },
  hf: { env: 'T_HF', description: 'test secret h' },
  'db-password': { env: 'T_DB_PASSWORD', description: 'test secret d' },
  'redis-password': { env: 'T_REDIS_PASSWORD', description: 'test secret r' },
  'grafana-admin': { env: 'T_GRAFANA', description: 'test secret g' },
} as const;

/** A validated environment of external guests on 10.0.0.0/24 (no Proxmox node needed). */
export function testEnvironment(guests: Partial<GuestSpec>[], extra: Partial<EnvironmentSpec> = {}) {
  return validateEnvironment(
    {
      name: 't',
      cluster: { nodes: [] },
      networks: [{ name: 'n', bridge: 'b', cidr: '10.0.0.0/24', gateway: '10.0.0.1' }],
      admin: { cidrs: ['10.9.0.0/24'], sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G t@example.org'] },
      guests: guests.map((g, i) => ({ name: `g${i}`, kind: 'external', role: 'app', cores: 4, memoryGib: 8, ipv4: `10.0.0.${10 + i}`, ...g })),
      secrets: TEST_SECRETS,
      ...extra,
    },
    'test',
  );
}
