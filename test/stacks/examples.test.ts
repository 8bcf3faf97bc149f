/**
 * The example architectures (A: dev/staging/production, B: lab, C: chat, D: quiz) end to end:
 * every registered environment synthesizes in-process, the offline schema validator finds no
 * error in its Terraform JSON, and the preflight checks pass — except the broken-on-purpose
 * variants, which must fail with exactly the rule ids of their planned mistakes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp, type SynthesizedStack } from '../../pipeline';
import { prepared } from '../support/pipeline';
import { CheckFailedError, ruleCatalog, runChecks, type CheckReport } from '../../checks';
import { gpuSharedByGuests, lxcGpuDriver } from '../../checks/rules/gpu';
import { managementFromAdminOnly, noPortClash, sensitivePortsPrivate } from '../../checks/rules/firewall';
import { tensorParallel, weightsFit } from '../../checks/rules/model-fit';
import { endpointLabel, isReachable, Port, reachability, validateEnvironment, type Environment } from '../../model';
import { type ProviderSchemaDocument, validateTerraformJson } from '../../providers/proxmox/schema-validator';
import labAsPlanned from '../../stacks/examples/lab-as-planned';
import { showcaseLab } from '../../stacks/examples/lab/showcase-lab';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../providers/proxmox/schema.json'), 'utf8')) as ProviderSchemaDocument;

/** Broken variants and the rule ids their planned mistakes must raise (as unsuppressed errors). */
const BROKEN: Readonly<Record<string, readonly string[]>> = {
  'production-as-planned': [weightsFit.id, tensorParallel.id],
  'chat-as-planned': [sensitivePortsPrivate.id, managementFromAdminOnly.id, noPortClash.id],
};

const errorRules = (r: CheckReport) => [...new Set(r.findings.filter((f) => f.severity === 'error' && !f.suppressed).map((f) => f.rule))].sort();

let outdir: string;
const synthesized = new Map<string, SynthesizedStack>();
/** Everything that can synthesize (with --no-checks): the good examples and the plans whose mistakes are only caught by checks. */
const synthesizable = environmentNames({ includeBroken: true }).filter((n) => n !== 'lab-as-planned');

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-examples-'));
  for (const s of synthesizeApp(prepared(synthesizable, 'skip'), { outdir }).stacks) synthesized.set(s.env.name, s);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function doc(name: string): { resource: Record<string, Record<string, Record<string, unknown>>> } {
  return JSON.parse(fs.readFileSync(synthesized.get(name)!.file, 'utf8'));
}

describe('every registered environment', () => {
  it('includes the four architectures', () => {
    expect(environmentNames({ includeBroken: true })).toEqual(
      expect.arrayContaining(['dev', 'staging', 'production', 'production-as-planned', 'lab', 'lab-as-planned', 'chat', 'chat-as-planned', 'quiz']),
    );
    // The broken-on-purpose plans are never in a default set (synth, check, the cdktf app).
    expect(environmentNames()).not.toEqual(expect.arrayContaining(['production-as-planned']));
    expect(environmentNames().filter((n) => n.endsWith('-as-planned'))).toEqual([]);
  });

  it('names only rule ids the check engine knows', () => {
    const known = new Set(ruleCatalog().map((r) => r.id));
    for (const id of [...Object.values(BROKEN).flat(), gpuSharedByGuests.id, lxcGpuDriver.id]) expect(known).toContain(id);
  });

  it.each(synthesizable)('%s synthesizes and passes the offline schema validator', (name) => {
    expect(synthesized.has(name)).toBe(true);
    const findings = validateTerraformJson(doc(name), schema).filter((f) => f.severity === 'error');
    expect(findings).toEqual([]);
  });

  it.each(environmentNames().filter((n) => !BROKEN[n]))('%s has no unsuppressed check error', (name) => {
    const report = runChecks(synthesized.get(name)!.env, { synthDir: synthesized.get(name)!.dir });
    expect(report.findings.filter((f) => f.severity === 'error' && !f.suppressed)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it.each(Object.entries(BROKEN))('%s fails with exactly %j', (name, rules) => {
    const report = runChecks(synthesized.get(name)!.env, { synthDir: synthesized.get(name)!.dir });
    expect(report.ok).toBe(false);
    expect(errorRules(report)).toEqual([...rules].sort());
  });
});

describe('lab (B): two GPU consumers on a host with two GPUs', () => {
  it('gives each GPU LXC its own device node and records the host driver', () => {
    const containers = Object.values(doc('lab').resource['proxmox_virtual_environment_container']!);
    const devices = (host: string) =>
      (containers.find((c) => (c['initialization'] as { hostname: string }).hostname === host)!['device_passthrough'] as { path: string }[]).map((d) => d.path);
    expect(devices('gpu-api')).toContain('/dev/nvidia0');
    expect(devices('gpu-code')).toContain('/dev/nvidia1');
    expect(devices('gpu-code')).not.toContain('/dev/nvidia0');
  });

  it('declares no internet flow at all: Rumple is reached only through its tunnel', () => {
    const env = loadEnvironment('lab');
    expect(reachability(env).filter((f) => f.from.kind === 'internet')).toEqual([]);
    const rumple = env.guests.find((g) => g.name === 'rumple')!;
    expect(rumple.kind).toBe('external');
    expect(rumple.stacks.some((s) => s.kind === 'compose' && s.services.some((svc) => svc.name === 'cloudflared'))).toBe(true);
  });

  // lab-as-planned cannot synthesize at all (the constructs refuse a GPU given twice), so it is
  // checked, not synthesized; it is registered as broken on purpose and loads by name too.
  const asPlanned = () => validateEnvironment(labAsPlanned, 'stacks/examples/lab-as-planned.ts');

  it('lab-as-planned fails with the shared-GPU and missing-driver rule ids', () => {
    const report = runChecks(asPlanned());
    expect(errorRules(report)).toEqual([gpuSharedByGuests.id, lxcGpuDriver.id].sort());
    const shared = report.findings.find((f) => f.rule === gpuSharedByGuests.id)!;
    expect(shared).toMatchObject({ path: 'guests[2].gpus[0]', guest: 'gpu-code' });
    expect(shared.hint).toContain('gpu-phoenix-1');
  });

  it('lab-as-planned is refused by the pipeline before synth, naming the rule', () => {
    const refusal = (() => {
      try {
        prepared([asPlanned()]);
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(CheckFailedError);
    expect((refusal as CheckFailedError).format()).toContain(`${gpuSharedByGuests.id}  guests[2].gpus[0]`);
  });

  it('the planned GPU sharing alone, with the driver recorded, raises only the shared-GPU error', () => {
    const env = validateEnvironment(
      showcaseLab({ name: 'lab-shared', description: 'x', secondConsumerGpu: 'gpu-phoenix-0', nvidiaDriverVersion: '570.172.08' }),
    );
    expect(errorRules(runChecks(env))).toEqual([gpuSharedByGuests.id]);
  });
});

describe('chat (C): firewall intent', () => {
  const appGuests = ['api', 'ai', 'workers'];

  it('opens PostgreSQL only to the application guests and keeps SSH to admin and the bastion', () => {
    const env: Environment = loadEnvironment('chat');
    const flows = reachability(env);
    const pgSources = flows
      .filter((f) => endpointLabel(f.to) === 'postgres' && f.port.equals(Port.tcp(5432)))
      .map((f) => endpointLabel(f.from))
      .sort();
    expect(pgSources).toEqual([...appGuests].sort());
    const sshSources = new Set(flows.filter((f) => f.port.equals(Port.tcp(22)) || f.port.equals(Port.tcp(2222))).map((f) => endpointLabel(f.from)));
    expect([...sshSources].sort()).toEqual(['admin', 'bastion']);
  });

  it('chat-as-planned reproduces the incidents: PostgreSQL on 15432 and SSH on 22/2222 from the internet', () => {
    const flows = reachability(loadEnvironment('chat-as-planned'));
    expect(isReachable(flows, 'internet', 'postgres', 'tcp', 15432)).toBe(true);
    expect(isReachable(flows, 'internet', 'bastion', 'tcp', 22)).toBe(true);
    expect(isReachable(flows, 'internet', 'gpu-server', 'tcp', 2222)).toBe(true);
    const clash = runChecks(loadEnvironment('chat-as-planned')).findings.find((f) => f.rule === noPortClash.id)!;
    expect(clash).toMatchObject({ guest: 'gpu-server' });
    expect(clash.message).toContain('8001');
  });
});

describe('quiz (D): the Kubernetes plan on guests', () => {
  it('stays within the planned budget of about 20 vCPU and 40 GB RAM', () => {
    const env = loadEnvironment('quiz');
    const cores = env.guests.reduce((n, g) => n + g.cores, 0);
    const memory = env.guests.reduce((n, g) => n + g.memoryGib, 0);
    expect(cores).toBeLessThanOrEqual(20);
    expect(memory).toBeLessThanOrEqual(40);
  });

  it('keeps the replicas of PostgreSQL and Keycloak on different nodes', () => {
    const env = loadEnvironment('quiz');
    const nodes = (prefix: string) => env.guests.filter((g) => g.name.startsWith(prefix)).map((g) => g.node);
    expect(new Set(nodes('pg-')).size).toBe(3);
    expect(new Set(nodes('keycloak-')).size).toBe(2);
  });

  it('lets only Cloudflare reach the edge', () => {
    const flows = reachability(loadEnvironment('quiz'));
    expect(flows.filter((f) => f.from.kind === 'internet')).toEqual([]);
    expect(isReachable(flows, 'cidr:173.245.48.0/20', 'edge', 'tcp', 443)).toBe(true);
  });
});
