import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCompose } from '../../../templates/compose/render-compose';

describe('renderCompose', () => {
  const rendered = renderCompose({
    header: ['hello'],
    sharedNetwork: 'pvestack-t',
    services: [
      {
        name: 'db',
        image: 'postgres:16.4',
        volumes: ['pgdata:/var/lib/postgresql/data', './x.conf:/etc/x.conf:ro'],
        healthcheck: { test: ['CMD', 'pg_isready'] },
        secretEnv: [{ variable: 'POSTGRES_PASSWORD', secret: 'db-password' }],
        stateful: true,
      },
      { name: 'cache', image: 'redis:7.4', memoryLimitMib: 512, cpus: 1.5 },
      { name: 'app', image: 'app:1', dependsOn: ['db', 'cache'], env: { Z: '1', A: 'x$y' }, secrets: ['session-secret'], gpus: 2 },
      { name: 'llm', image: 'vllm/vllm-openai:v0.11.0', gpus: ['0', '1'], ipc: 'host' },
    ],
  });
  const doc = parse(rendered.text) as any;

  it('waits for healthy dependencies and only for started ones without a healthcheck', () => {
    expect(doc.services.app.depends_on).toEqual({ db: { condition: 'service_healthy' }, cache: { condition: 'service_started' } });
  });

  it('references secrets only through env files the deployer writes', () => {
    expect(doc.services.db.env_file).toEqual(['secrets/db.env']);
    expect(doc.services.app.env_file).toEqual(['secrets/app.env']);
    expect(rendered.secretFiles).toEqual([
      { path: 'secrets/db.env', entries: [{ variable: 'POSTGRES_PASSWORD', secret: 'db-password' }] },
      { path: 'secrets/app.env', entries: [{ variable: 'SESSION_SECRET', secret: 'session-secret' }] },
    ]);
  });

  it('sorts the environment and escapes $ for compose', () => {
    expect(Object.keys(doc.services.app.environment)).toEqual(['A', 'Z']);
    expect(doc.services.app.environment.A).toBe('x$$y');
  });

  it('reserves GPUs by count or device ids, with the gpu capability', () => {
    expect(doc.services.app.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 2, capabilities: ['gpu'] }]);
    expect(doc.services.llm.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', device_ids: ['0', '1'], capabilities: ['gpu'] }]);
    expect(doc.services.llm.ipc).toBe('host');
  });

  it('declares named volumes, limits, restart policy and the shared network', () => {
    expect(doc.volumes).toEqual({ pgdata: {} });
    expect(doc.services.cache).toMatchObject({ mem_limit: '512m', cpus: 1.5, restart: 'unless-stopped', init: true });
    expect(doc.networks).toEqual({ default: { name: 'pvestack-t', external: true } });
    expect(rendered.text.startsWith('# hello\n')).toBe(true);
    expect(rendered.services.map((s) => [s.name, s.stateful, s.hasHealthcheck])).toEqual([
      ['db', true, true],
      ['cache', false, false],
      ['app', false, false],
      ['llm', false, false],
    ]);
  });
});
