/** Helpers for the Ansible bridge's real-tool tests: inventories on disk and playbook runs. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildInventory, renderInventoryYaml } from '../../../ansible-bridge/inventory';
import type { EnvironmentSpec } from '../../../model';
import { validateEnvironment } from '../../../model';

export const ROOT = path.resolve(__dirname, '../../..');
export const PLAYBOOKS = path.join(ROOT, 'ansible-bridge', 'playbooks');
export const DYNAMIC = path.join(ROOT, 'ansible-bridge', 'dynamic-inventory.js');

/** Ansible settings for tests: unparseable inventories fail, no retry files, no cowsay. */
export const ANSIBLE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
  ANSIBLE_RETRY_FILES_ENABLED: 'false',
  ANSIBLE_NOCOWS: '1',
  ANSIBLE_HOST_KEY_CHECKING: 'true',
  ANSIBLE_FORCE_COLOR: '0',
  // One python process per task instead of copying each module to the host first.
  ANSIBLE_PIPELINING: 'true',
};

/** Writes a spec as YAML (what PVESTACK_ENV / `pvestack inventory <file>` read) and its static inventory. */
export function writeSpecAndInventory(spec: EnvironmentSpec, dir: string): { specFile: string; inventoryFile: string } {
  const specFile = path.join(dir, `${spec.name}.yaml`);
  fs.writeFileSync(specFile, stringify(spec));
  const env = validateEnvironment(spec, specFile);
  const inventoryFile = path.join(dir, `${spec.name}-inventory.yml`);
  fs.writeFileSync(inventoryFile, renderInventoryYaml(buildInventory(env), env));
  return { specFile, inventoryFile };
}

export interface AnsibleResult {
  readonly code: number;
  readonly output: string;
}

export function runAnsible(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): AnsibleResult {
  const r = spawnSync(cmd, args, { cwd, env: { ...ANSIBLE_ENV, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `ok=3 changed=1 ...` of one host in a PLAY RECAP. */
export function recap(output: string, host: string): Record<string, number> {
  const line = output.split('\n').find((l) => l.startsWith(`${host} `) && l.includes('changed='));
  if (!line) throw new Error(`no PLAY RECAP line for ${host} in:\n${output}`);
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** Whether Debian's ansible ships the chroot connection plugin the playbook tests drive the throwaway root with. */
export function hasChrootConnection(): boolean {
  return spawnSync('ansible-doc', ['-t', 'connection', 'community.general.chroot'], { stdio: 'ignore', env: ANSIBLE_ENV, timeout: 120_000 }).status === 0;
}

/**
 * Extra vars that point a generated inventory's host at a throwaway root: Ansible runs each task
 * inside it with chroot (we are root already, and the root has no sudo), and the playbooks leave
 * services alone because PID 1 is not systemd here (and kernel settings unloaded: the chroot shares
 * this machine's kernel).
 */
export function chrootVars(root: string): string[] {
  return [
    '-e',
    'ansible_connection=community.general.chroot',
    '-e',
    `ansible_host=${root}`,
    '-e',
    'ansible_become=false',
    '-e',
    'pvestack_manage_services=false',
    // The chroot shares this machine's kernel: write sysctl.d files, never load them.
    '-e',
    'pvestack_apply_sysctl=false',
  ];
}
