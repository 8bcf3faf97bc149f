import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../checks';
import { loadEnvironment } from '../../stacks/registry';

const ROOT = path.resolve(__dirname, '..', '..');
const errorsOf = (name: string) => runChecks(loadEnvironment(name)).findings.filter((f) => f.severity === 'error' && !f.suppressed);

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pvestack.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('registered environments', () => {
  it.each(['production', 'staging', 'dev'])('%s has no unsuppressed errors', (name) => {
    expect(errorsOf(name)).toEqual([]);
  });

  it('production reports how many full 8K sequences fit and its accepted model-cache risk', () => {
    const report = runChecks(loadEnvironment('production'));
    expect(report.findings.find((f) => f.rule === 'PVE-LLM-005')!.message).toContain('3 concurrent 8192-token sequences');
    expect(report.findings.find((f) => f.rule === 'PVE-DATA-004')!.suppressed?.by).toBe('guests[5].suppressions[0]');
  });

  it('production-as-planned fails with the model-fit and TP findings and their numbers', () => {
    const errors = errorsOf('production-as-planned');
    expect(errors.map((f) => f.rule)).toEqual(['PVE-LLM-001', 'PVE-LLM-003']);
    expect(errors[0]!.path).toBe('guests[5].stacks[0]');
    expect(errors[0]!.message).toContain('weights 135.4 GiB');
    expect(errors[0]!.message).toContain('41.7 GiB usable');
    expect(errors[0]!.message).toContain('1 × 48 GiB (NVIDIA RTX 6000 Ada) at 0.90');
    expect(errors[1]!.path).toBe('guests[5].stacks[0].tensorParallelSize');
    expect(errors[1]!.message).toContain('tensor parallel size 2 needs exactly 2 GPUs in the guest, it has 1');
  });

  // The architecture B/C examples are written in stacks/examples/; these assert the checks catch
  // the mistakes those teams actually made.
  it('lab-as-planned: two GPU consumers on one GPU', () => {
    expect(errorsOf('lab-as-planned').map((f) => f.rule)).toContain('PVE-GPU-001');
  });

  it('chat-as-planned: public PostgreSQL and SSH open to the world', () => {
    const rules = errorsOf('chat-as-planned').map((f) => f.rule);
    expect(rules).toContain('PVE-FW-002');
    expect(rules).toContain('PVE-FW-003');
  });
});

describe('pvestack check (CLI)', () => {
  it('production --json is parseable, passes and exits 0', () => {
    const run = cli('check', 'production', '--json');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { version: number; ok: boolean; environments: { environment: string; ok: boolean }[] };
    expect(doc).toMatchObject({ version: 1, ok: true, environments: [{ environment: 'production', ok: true }] });
  });

  it('production-as-planned exits 1 and prints the verdict', () => {
    const run = cli('check', 'production-as-planned');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('production-as-planned: FAIL — 2 errors');
  });

  it('an invalid spec exits 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-check-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.yaml'), 'name: bad\n');
      expect(cli('check', path.join(dir, 'bad.yaml')).status).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('synth refuses to write an environment that fails its checks, unless --no-checks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-synth-'));
    try {
      const refused = cli('synth', 'production-as-planned', '-o', dir);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('checks failed for production-as-planned: synth wrote nothing');
      expect(fs.existsSync(path.join(dir, 'stacks'))).toBe(false);
      const forced = cli('synth', 'production-as-planned', '--no-checks', '-o', dir);
      expect(forced.status).toBe(0);
      expect(forced.stderr).toContain('PREFLIGHT CHECKS SKIPPED (--no-checks)');
      expect(fs.existsSync(path.join(dir, 'stacks', 'production-as-planned', 'cdk.tf.json'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
