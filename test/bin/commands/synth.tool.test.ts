// SLOW (≈30-60 s): runs the real cdktf CLI. Named *.tool.test.ts like the other real-tool suites.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { synthesizeApp } from '../../../pipeline';
import { prepared } from '../../support/pipeline';
import { environmentNames } from '../../../stacks/registry';
import { describeWithTools, scratchDir } from '../../support/tools';

const ROOT = path.join(__dirname, '..', '..', '..');
const CDKTF = path.join(ROOT, 'node_modules', '.bin', 'cdktf');

describeWithTools('cdktf synth (slow, real cdktf-cli) matches the in-process synth', fs.existsSync(CDKTF) ? [] : ['cdktf'], () => {
  const scratch = scratchDir('pvestack-cdktf-synth-');
  let cli: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    cli = spawnSync(CDKTF, ['synth', '--output', path.join(scratch.dir, 'cli')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', FORCE_COLOR: '0' },
      timeout: 150_000,
    });
    synthesizeApp(prepared(environmentNames()), { outdir: path.join(scratch.dir, 'inproc') });
  }, 180_000);
  afterAll(() => scratch.cleanup());

  it('exits 0', () => {
    expect(cli.error).toBeUndefined();
    expect(cli.status).toBe(0);
  });

  it.each(environmentNames())('writes a byte-identical cdk.tf.json for %s', (name) => {
    const read = (dir: string) => fs.readFileSync(path.join(scratch.dir, dir, 'stacks', name, 'cdk.tf.json'));
    expect(read('cli').equals(read('inproc'))).toBe(true);
  });
});

describeWithTools('cdktf synth (slow, real cdktf-cli) refuses an environment with a check error', fs.existsSync(CDKTF) ? [] : ['cdktf'], () => {
  const scratch = scratchDir('pvestack-cdktf-refuse-');
  afterAll(() => scratch.cleanup());

  it('exits non-zero, names the rules, and writes no stack', () => {
    const out = path.join(scratch.dir, 'cli');
    const cli = spawnSync(CDKTF, ['synth', '--output', out], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', FORCE_COLOR: '0', PVESTACK_ENVIRONMENTS: 'production-as-planned' },
      timeout: 150_000,
    });
    expect(cli.error).toBeUndefined();
    expect(cli.status).not.toBe(0);
    const said = `${cli.stdout}\n${cli.stderr}`;
    expect(said).toContain('checks failed for production-as-planned: cdktf synth wrote nothing');
    expect(said).toContain('PVE-LLM-001');
    expect(fs.existsSync(path.join(out, 'stacks', 'production-as-planned', 'cdk.tf.json'))).toBe(false);
  }, 180_000);
});
