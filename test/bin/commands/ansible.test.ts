import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pvestack = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/pvestack.js'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

// Each case starts the CLI (tsx compiles on start), which takes seconds on a loaded machine.
describe('pvestack inventory / pvestack ansible (CLI wiring)', () => {
  it('inventory --format json prints the --list form; a bad format is a user error', () => {
    const r = pvestack(['inventory', 'production-as-planned', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).all.children).toEqual(['production_as_planned']);
    expect(pvestack(['inventory', 'production', '--format', 'ini']).status).toBe(2);
  });

  it('ansible --print-command prints the exact ansible-playbook command with the dynamic inventory', () => {
    const r = pvestack(['ansible', 'production', 'guest-baseline', '--check', '--print-command', '--', '--limit', 'db']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `PVESTACK_ENV=production ansible-playbook -i ${path.join(ROOT, 'ansible-bridge/dynamic-inventory.js')} ${path.join(ROOT, 'ansible-bridge/playbooks/guest-baseline.yml')} --check --limit db`,
    );
  });

  it('without ansible-playbook on PATH it prints the command and exits 1; an unknown playbook exits 2', () => {
    // node is started by absolute path, so an empty PATH hides only ansible-playbook.
    const noAnsible = { ...process.env, PATH: path.join(ROOT, 'no-such-dir') };
    const r = pvestack(['ansible', 'production', 'storage-box'], noAnsible);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ansible-playbook is not installed');
    expect(r.stdout).toContain('ansible-playbook -i');
    expect(pvestack(['ansible', 'production', 'site']).status).toBe(2);
  });
});
