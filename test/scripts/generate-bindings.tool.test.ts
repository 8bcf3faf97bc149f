import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithTools, scratchDir } from '../support/tools';

const ROOT = path.resolve(__dirname, '../..');

// The generator probes terraform; terraform prints a red "[ERROR] ... The CLI configuration file
// at ... does not exist" when TF_CLI_CONFIG_FILE names a missing file, which is how some machines
// ship (and what `npm ci` used to show through the prepare script).
describeWithTools('generate-bindings with a TF_CLI_CONFIG_FILE that does not exist', ['terraform'], () => {
  // A copy of the script and the schema, so the real .gen/ of this checkout is never rewritten.
  const { dir, cleanup } = scratchDir('pvestack-gen-');
  afterAll(cleanup);
  fs.cpSync(path.join(ROOT, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'providers/proxmox'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'providers/proxmox/schema.json'), path.join(dir, 'providers/proxmox/schema.json'));
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));

  it('generates the bindings and prints no terraform configuration error', () => {
    const r = spawnSync(process.execPath, ['scripts/generate-bindings.js'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, 'missing.terraformrc') },
    });
    expect(r.status, r.stderr).toBe(0);
    const output = r.stdout + r.stderr;
    expect(output).not.toContain('[ERROR]');
    expect(output).not.toContain('does not exist');
    expect(output).toMatch(/^pvestack: generated bpg\/proxmox bindings in \d+ ms\n$/);
    expect(fs.existsSync(path.join(dir, '.gen/providers/proxmox/provider/index.ts'))).toBe(true);
  });
});
