/**
 * Every entry point runs the one pipeline (load → validate → check → synthesize/render/deploy):
 * `cdktf synth` through the app command in cdktf.json, `pvestack synth`, `render`, `validate`,
 * `deploy` (dry-run and real) and `up` all refuse an environment with a check error, name the
 * rule, and change nothing. `production-as-planned` keeps a real plan's mistakes: a model that
 * does not fit its GPU (PVE-LLM-001) and an impossible tensor-parallel size (PVE-LLM-003).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/tools';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'pvestack.js');
const BROKEN = 'production-as-planned';
const RULES = ['PVE-LLM-001', 'PVE-LLM-003'];
const scratch = scratchDir('pvestack-refuse-');
afterAll(() => scratch.cleanup());

const baseEnv = { ...process.env, CHECKPOINT_DISABLE: '1', PVESTACK_DEBUG: '', CI: 'true' };

function pvestack(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: baseEnv, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The app command exactly as cdktf runs it: the `app` of cdktf.json, in a shell, with CDKTF_OUTDIR. */
function cdktfApp(outdir: string, extra: Record<string, string>) {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app: string }).app;
  const r = spawnSync(app, { shell: true, cwd: ROOT, encoding: 'utf8', env: { ...baseEnv, CDKTF_OUTDIR: outdir, ...extra }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectRefused(r: { code: number | null; stderr: string }, refusal: string): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`checks failed for ${BROKEN}: ${refusal}`);
  for (const rule of RULES) expect(r.stderr).toContain(rule);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('an environment with a check error is refused on every route', () => {
  it('cdktf synth (the cdktf.json app): exit 1, names the rules, writes no stack', () => {
    const out = path.join(scratch.dir, 'cdktf');
    const r = cdktfApp(out, { PVESTACK_ENVIRONMENTS: BROKEN });
    expectRefused(r, 'cdktf synth wrote nothing');
    expect(r.stderr).toContain('PVESTACK_SKIP_CHECKS=1');
    expect(fs.existsSync(path.join(out, 'stacks', BROKEN))).toBe(false);
  });

  it('cdktf synth with PVESTACK_SKIP_CHECKS=1 writes it, with a loud warning', () => {
    const out = path.join(scratch.dir, 'cdktf-skip');
    const r = cdktfApp(out, { PVESTACK_ENVIRONMENTS: BROKEN, PVESTACK_SKIP_CHECKS: '1' });
    expect(r.stderr).toContain('PREFLIGHT CHECKS SKIPPED (PVESTACK_SKIP_CHECKS=1)');
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(out, 'stacks', BROKEN, 'cdk.tf.json'))).toBe(true);
  });

  it('pvestack deploy --dry-run: exit 1, names the rules, prints no plan', () => {
    const r = pvestack('deploy', BROKEN, '--dry-run', '--plain');
    expectRefused(r, 'deploy touched no host');
    expect(r.stdout).not.toMatch(/mkdir|docker compose|ssh /);
  });

  it('pvestack deploy (real): refuses before connecting to any host', () => {
    // The environment's hosts do not exist: had the deploy connected, it would fail on SSH (or on
    // the missing secrets) instead, and later. The refusal is immediate and names the rules.
    const started = Date.now();
    const r = pvestack('deploy', BROKEN, '--plain', '--yes');
    expectRefused(r, 'deploy touched no host');
    expect(r.stderr).not.toMatch(/connect|ECONNREFUSED|EHOSTUNREACH|timed out|secret/i);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('pvestack deploy --dry-run --no-checks gets past the checks, with a loud warning', () => {
    const r = pvestack('deploy', BROKEN, '--dry-run', '--plain', '--no-checks');
    expect(r.stderr).toContain('PREFLIGHT CHECKS SKIPPED (--no-checks)');
    expect(r.code).toBe(0);
  });

  it('pvestack up (and up --dry-run): exit 1, names the rules, starts nothing', () => {
    const out = path.join(scratch.dir, 'up');
    expectRefused(pvestack('up', BROKEN, '--out', out), 'up started nothing');
    expectRefused(pvestack('up', BROKEN, '--dry-run', '--out', out), 'up started nothing');
    expect(fs.existsSync(path.join(out, 'local'))).toBe(false);
  });

  it('pvestack render and validate: exit 1, names the rules, write nothing', () => {
    const out = path.join(scratch.dir, 'render');
    expectRefused(pvestack('render', BROKEN, '--out', out), 'render wrote nothing');
    expectRefused(pvestack('validate', BROKEN, '--no-terraform', '--out', out), 'validate synthesized nothing');
    expect(fs.existsSync(path.join(out, 'stacks'))).toBe(false);
  });
});
