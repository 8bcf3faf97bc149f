/** A small, hand-built pair of revisions of `staging` shared by the engine and view tests. */
import type { EnvironmentDiffInput } from '../../../diff/index';
import type { Connection, Environment } from '../../../model';
import { loadEnvironment } from '../../../stacks/registry';

const VM = 'proxmox_virtual_environment_vm';
const meta = (path: string) => ({ '//': { metadata: { path, uniqueId: path } } });

const compose = (tag: string, extraEnv: string) => `services:
  web:
    image: ghcr.io/example-edu/web:${tag}
    environment:
      NODE_ENV: production
${extraEnv}    env_file:
      - secrets.env
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]
`;

/** The typed facts the writer keeps beside that compose file (compose-facts.json). */
const facts = (tag: string, extraEnv: Record<string, string>) => ({
  'web/app/compose.yaml': {
    web: {
      image: `ghcr.io/example-edu/web:${tag}`,
      environment: { NODE_ENV: 'production', ...extraEnv },
      healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/'] },
    },
  },
});

/** Base: staging as registered. Head: web gets 6 cores, db moves node, 5432 opens to the internet, image bump, secret moved. */
export function sampleInput(): EnvironmentDiffInput {
  const base = loadEnvironment('staging');
  const clone = structuredClone(base) as { -readonly [K in keyof Environment]: Environment[K] };
  const internetToDb: Connection = { index: clone.connections.length, from: ['internet'], to: ['db'], ports: ['tcp/5432'] };
  clone.connections = [...clone.connections, internetToDb];
  clone.secrets = { ...clone.secrets, 'postgres-password': { env: 'PVESTACK_PG_PASSWORD', description: 'moved' } };
  const head = clone as Environment;
  const web = (cores: number) => ({ ...meta('staging/web/Resource'), name: 'web', node_name: 'pve-stg', cpu: { cores, type: 'host' } });
  const db = (node: string) => ({ ...meta('staging/db/Resource'), name: 'db', node_name: node, protection: true, lifecycle: { prevent_destroy: true } });
  return {
    environment: 'staging',
    base: {
      env: base,
      terraform: { resource: { [VM]: { web_1: web(4), db_2: db('pve-stg') } } },
      artifacts: new Map([
        ['web/app/compose.yaml', compose('1.9.0-rc.1', '')],
        ['web/app/secrets.env', 'DATABASE_PASSWORD=${PVESTACK_POSTGRES_PASSWORD}\n'],
      ]),
      composeFacts: facts('1.9.0-rc.1', {}),
    },
    head: {
      env: head,
      terraform: { resource: { [VM]: { web_1: web(6), db_2: db('pve-stg2') } } },
      artifacts: new Map([
        ['web/app/compose.yaml', compose('1.9.0', '      FEATURE_FLAGS: beta\n')],
        ['web/app/secrets.env', 'DATABASE_PASSWORD=${PVESTACK_PG_PASSWORD}\n'],
      ]),
      composeFacts: facts('1.9.0', { FEATURE_FLAGS: 'beta' }),
    },
  };
}
