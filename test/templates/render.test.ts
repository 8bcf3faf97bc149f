import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeArtifacts } from '../../pipeline';
import { environmentNames, loadEnvironment } from '../../stacks/registry';
import { renderEnvironment, renderGuest } from '../../templates/render';
import { scratchDir } from '../support/tools';

const SNAPSHOT_ENVS = ['dev', 'staging', 'production'];

describe('rendered stacks (snapshots)', () => {
  for (const name of SNAPSHOT_ENVS) {
    const env = loadEnvironment(name);
    for (const guest of env.guests)
      for (const stack of renderGuest(env, guest))
        it(`${name}/${guest.name}/${stack.name}`, () => {
          for (const f of stack.files) expect(f.content).toMatchSnapshot(f.path);
        });
  }
});

describe('rendering', () => {
  it('is deterministic', () => {
    for (const name of environmentNames()) {
      const env = loadEnvironment(name);
      expect(JSON.stringify([...renderEnvironment(env)])).toBe(JSON.stringify([...renderEnvironment(loadEnvironment(name))]));
    }
  });

  it('gives every stack a compose file without a version key, with log rotation and a shared external network', () => {
    const env = loadEnvironment('production');
    for (const stacks of renderEnvironment(env).values())
      for (const stack of stacks) {
        const doc = parse(stack.files.find((f) => f.path === 'compose.yaml')!.content) as Record<string, any>;
        expect(doc).not.toHaveProperty('version');
        expect(doc.networks.default).toEqual({ name: 'pvestack-production', external: true });
        expect(stack.externalNetworks).toEqual(['pvestack-production']);
        for (const svc of Object.values<any>(doc.services))
          expect(svc.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
      }
  });

  it('publishes database, cache and model ports only on the guest’s private address', () => {
    const env = loadEnvironment('production');
    const ports = (guest: string, stack: string) => {
      const s = renderEnvironment(env)
        .get(guest)!
        .find((x) => x.name === stack)!;
      const doc = parse(s.files.find((f) => f.path === 'compose.yaml')!.content) as any;
      return Object.values<any>(doc.services).flatMap((svc) => svc.ports ?? []);
    };
    // With each server, its exporter's port (the exporter shares the server's network namespace).
    expect(ports('db', 'postgres')).toEqual(['10.20.0.20:5432:5432', '10.20.0.20:9187:9187']);
    expect(ports('cache', 'redis')).toEqual(['10.20.0.21:6379:6379', '10.20.0.21:9121:9121']);
    expect(ports('llm', 'vllm')).toEqual(['10.20.0.30:8000:8000']);
  });

  it('depends on healthy services with service_healthy', () => {
    const env = loadEnvironment('staging');
    const pg = renderEnvironment(env)
      .get('db')!
      .find((s) => s.name === 'postgres')!;
    const doc = parse(pg.files.find((f) => f.path === 'compose.yaml')!.content) as any;
    expect(doc.services['pg-backup'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(doc.services['pg-backup'].network_mode).toBe('service:postgres');
    expect(doc.services.postgres.volumes).toContain('/var/lib/postgresql/data:/var/lib/postgresql/data');
    expect(doc.services.postgres.volumes).toContain('/mnt/storagebox/postgres:/backup');
  });

  it('escapes $ so compose passes shell variables through literally', () => {
    const env = loadEnvironment('dev');
    const redis = renderEnvironment(env)
      .get('laptop')!
      .find((s) => s.name === 'redis')!;
    const compose = redis.files.find((f) => f.path === 'compose.yaml')!.content;
    expect(compose).toContain('"$$REDIS_PASSWORD"');
    expect(compose).not.toMatch(/[^$]\$REDIS_PASSWORD/);
    expect((parse(compose) as any).services.redis.env_file).toEqual(['secrets/redis.env']);
  });
});

describe('secrets', () => {
  const canaries = new Map<string, string>();
  const saved = { ...process.env };
  const scratch = scratchDir('pvestack-render-');
  afterAll(() => {
    process.env = saved;
    scratch.cleanup();
  });

  it('never appear in any rendered or written file (canaries in the environment)', () => {
    for (const name of environmentNames())
      for (const [secret, spec] of Object.entries(loadEnvironment(name).secrets)) {
        const canary = `CANARY${canaries.size}x${secret.replace(/\W/g, '')}Zq9`;
        canaries.set(spec.env, canary);
        process.env[spec.env] = canary;
      }
    const texts: string[] = [];
    for (const name of environmentNames()) {
      const env = loadEnvironment(name);
      for (const stacks of renderEnvironment(env).values()) for (const s of stacks) texts.push(...s.files.map((f) => f.content), JSON.stringify(s));
      for (const s of writeArtifacts(scratch.dir, env).stacks) for (const f of s.files) texts.push(fs.readFileSync(f, 'utf8'));
    }
    expect(texts.length).toBeGreaterThan(50);
    for (const t of texts) for (const c of canaries.values()) expect(t).not.toContain(c);
    // Only templates for the env files were written, never the env files themselves.
    const written = fs.readdirSync(scratch.dir, { recursive: true }).map(String);
    expect(written.filter((f) => f.endsWith('.env'))).toEqual([]);
    expect(written.some((f) => f.endsWith(path.join('secrets', 'postgres.env.example')))).toBe(true);
  });

  it('env templates list variable names with empty values and name the source variable', () => {
    const env = loadEnvironment('dev');
    const next = renderEnvironment(env)
      .get('laptop')!
      .find((s) => s.name === 'nextjs')!;
    const example = next.files.find((f) => f.path === 'secrets/nextjs.env.example')!.content;
    const assignments = example.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(assignments).toEqual(['POSTGRES_PASSWORD=', 'REDIS_PASSWORD=', 'VLLM_API_KEY=', 'SESSION_SECRET=']);
    expect(example).toContain('PVESTACK_POSTGRES_PASSWORD');
    expect(next.secretFiles).toEqual([
      { path: 'secrets/nextjs.env', entries: assignments.map((a) => ({ variable: a.slice(0, -1), secret: a.slice(0, -1).toLowerCase().replace(/_/g, '-') })) },
    ]);
  });
});
