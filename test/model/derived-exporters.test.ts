import { describe, expect, it } from 'vitest';
import { derivedExporters, InvalidSpecError, metricsEndpoints, stackNames, validateEnvironment } from '../../model';
import { loadEnvironment, registeredSpec } from '../../stacks/registry';
import { testEnvironment } from '../templates/fixtures';

const monitoring = { kind: 'monitoring' as const, targets: ['db', 'gpu', 'tuned', 'idle'], grafanaAdminSecret: 'grafana-admin' };
const db = { kind: 'postgres' as const, database: 'app', passwordSecret: 'db-password' };
const vllm = { kind: 'vllm' as const, model: 'Qwen/Qwen2.5-7B-Instruct-AWQ', apiKeySecret: 'vllm-key', gpuMemoryUtilization: 0.9, maxModelLen: 8192 };
const l4 = { name: 'gpu0', pciAddress: '0000:01:00.0', model: 'NVIDIA L4', vramGib: 24 };

function env(withMonitoring = true) {
  return testEnvironment([
    { name: 'mon', stacks: withMonitoring ? [monitoring] : [] },
    { name: 'db', stacks: [db] },
    { name: 'gpu', stacks: [vllm], hostGpus: [l4] },
    { name: 'tuned', stacks: [db, { kind: 'node-exporter', port: 9200 }], hostGpus: [l4] },
    { name: 'idle', hostGpus: [l4] },
    { name: 'unscraped', stacks: [vllm], hostGpus: [l4] },
  ]);
}

const kinds = (e: ReturnType<typeof env>, name: string) => e.guests.find((g) => g.name === name)!.stacks.map((s) => s.kind);

describe('exporters derived for the guests a monitoring stack scrapes', () => {
  it('gives every scraped guest with Docker stacks node-exporter, and one with a GPU dcgm-exporter, after its own stacks', () => {
    const e = env();
    expect(kinds(e, 'db')).toEqual(['postgres', 'node-exporter']);
    expect(kinds(e, 'gpu')).toEqual(['vllm', 'node-exporter', 'dcgm-exporter']);
    expect(metricsEndpoints(e.guests[2]!).map((m) => `${m.job}:${m.port}`)).toEqual(['vllm:8000', 'node:9100', 'dcgm:9400']);
    expect(stackNames(e.guests[2]!)).toEqual(['vllm', 'node-exporter', 'dcgm-exporter']);
  });

  it('keeps an exporter the spec declares (its own port) instead of adding a second', () => {
    expect(kinds(env(), 'tuned')).toEqual(['postgres', 'node-exporter', 'dcgm-exporter']);
    expect(metricsEndpoints(env().guests[3]!).filter((m) => m.job === 'node')).toEqual([{ job: 'node', port: 9200 }]);
  });

  it('adds nothing to a guest without Docker stacks, one no monitoring stack names, or the monitoring guest itself', () => {
    const e = env();
    expect(kinds(e, 'idle')).toEqual([]);
    expect(kinds(e, 'unscraped')).toEqual(['vllm']);
    expect(kinds(e, 'mon')).toEqual(['monitoring']);
    expect(derivedExporters(e, e.guests[5]!)).toEqual([]);
  });

  it('leaves an environment without monitoring exactly as its spec says', () => {
    const e = env(false);
    expect(e.guests.map((g) => g.stacks.length)).toEqual([0, 1, 1, 2, 0, 1]);
  });

  it('production: the db guest gets the host exporter, the llm and ml guests the GPU exporter too', () => {
    const prod = loadEnvironment('production');
    const spec = registeredSpec('production') as { guests: { name: string; stacks?: unknown[] }[] };
    for (const g of prod.guests.filter((x) => x.name !== 'monitoring')) {
      const declared = spec.guests.find((s) => s.name === g.name)!.stacks ?? [];
      const extra = g.stacks.slice(declared.length).map((s) => s.kind);
      expect(extra, g.name).toEqual(g.gpus.length > 0 ? ['node-exporter', 'dcgm-exporter'] : ['node-exporter']);
    }
    expect(prod.guests.filter((g) => g.gpus.length > 0).map((g) => g.name)).toEqual(['llm', 'ml']);
  });

  it('a guest opts out with monitoringExporters: false, and keeps the exporters its stacks carry', () => {
    const e = testEnvironment([
      { name: 'mon', stacks: [{ ...monitoring, targets: ['db', 'gpu'] }] },
      { name: 'db', stacks: [db], monitoringExporters: false },
      { name: 'gpu', stacks: [vllm], hostGpus: [l4], monitoringExporters: false },
    ]);
    expect(kinds(e, 'db')).toEqual(['postgres']);
    expect(kinds(e, 'gpu')).toEqual(['vllm']);
    expect(metricsEndpoints(e.guests[1]!)).toEqual([{ job: 'postgres', port: 9187 }]);
  });

  it('rejects a monitoringExporters that is not a boolean, naming the field', () => {
    let problems: string[] = [];
    try {
      testEnvironment([{ name: 'db', stacks: [db], monitoringExporters: 'no' as unknown as boolean }]);
    } catch (e) {
      problems = (e as InvalidSpecError).errors.map((x) => x.message);
    }
    expect(problems).toEqual(['guests[0].monitoringExporters: must be true or false, not a string (got "no"). Write true or false without quotes.']);
  });

  it('a spec opts a guest out of all monitoring by leaving it out of the targets', () => {
    const spec = structuredClone(registeredSpec('production')) as { guests: { name: string; stacks?: { kind: string; targets?: string[] }[] }[] };
    const mon = spec.guests.find((g) => g.name === 'monitoring')!.stacks![0]!;
    mon.targets = mon.targets!.filter((t) => t !== 'llm');
    const e = validateEnvironment(spec, 'production without llm scraped');
    expect(e.guests.find((g) => g.name === 'llm')!.stacks.map((s) => s.kind)).toEqual(['vllm']);
  });
});
