import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckFailedError } from '../../checks';
import { InvalidSpecError } from '../../model';
import { prepareEnvironments, type PrepareOptions } from '../../pipeline';
import { smallSpecYaml } from '../fixtures/specs';
import { recordingLog } from '../support/pipeline';
import { scratchDir } from '../support/tools';

const options = (checks: PrepareOptions['checks']) => {
  const log = recordingLog();
  return { log, opts: { checks, skipSwitch: '--no-checks', refusal: 'nothing was written', log } satisfies PrepareOptions };
};

describe('prepareEnvironments (load → validate → check)', () => {
  it('GIVEN a clean environment WHEN enforced THEN it returns it with its report and says so', () => {
    const { log, opts } = options('enforce');
    const prepared = prepareEnvironments(['staging'], opts);
    expect(prepared.environments.map((e) => e.name)).toEqual(['staging']);
    expect(prepared.reports.map((r) => r.ok)).toEqual([true]);
    expect(prepared.checksSkippedBy).toBeUndefined();
    expect(log.lines).toEqual([expect.stringMatching(/^checks staging: PASS/)]);
  });

  it('GIVEN a check error WHEN enforced THEN CheckFailedError names the rule, the refusal and the skip switch', () => {
    const { opts } = options('enforce');
    let error: unknown;
    try {
      prepareEnvironments(['production-as-planned'], opts);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CheckFailedError);
    const text = (error as CheckFailedError).format();
    expect(text).toContain('checks failed for production-as-planned: nothing was written');
    expect(text).toContain('PVE-LLM-001');
    expect(text).toContain('use --no-checks to go ahead anyway');
  });

  it('GIVEN a check error WHEN reported THEN it goes on and warns with every error rule', () => {
    const { log, opts } = options('report');
    const prepared = prepareEnvironments(['production-as-planned'], opts);
    expect(prepared.reports[0]!.ok).toBe(false);
    expect(log.lines.join('\n')).toMatch(/^warning: checks production-as-planned: FAIL[^\n]*synth and deploy refuse it:\n {2}PVE-LLM-001/);
  });

  it('GIVEN a check error WHEN skipped THEN it goes on, runs no rule and warns loudly naming the switch', () => {
    const { log, opts } = options('skip');
    const prepared = prepareEnvironments(['production-as-planned'], opts);
    expect(prepared.reports).toEqual([]);
    expect(prepared.checksSkippedBy).toBe('--no-checks');
    expect(log.lines).toEqual([expect.stringMatching(/^warning: PREFLIGHT CHECKS SKIPPED \(--no-checks\) for production-as-planned: /)]);
  });

  it('an invalid spec stops at validation (exit 2), even when the checks are skipped', () => {
    const scratch = scratchDir('pvestack-prepare-');
    try {
      const file = path.join(scratch.dir, 'bad.yaml');
      fs.writeFileSync(file, smallSpecYaml().replace('cores: 8\n', 'cores: eight\n'));
      const { log, opts } = options('skip');
      expect(() => prepareEnvironments([file], opts)).toThrow(InvalidSpecError);
      expect(log.lines).toEqual([]);
    } finally {
      scratch.cleanup();
    }
  });
});
