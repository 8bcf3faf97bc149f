/**
 * The `ansible-playbook` invocation `pvestack ansible` runs, as pure builders returning argv
 * arrays (no spawning here), plus the list of playbooks the toolkit ships.
 */
import * as path from 'node:path';
import { UsageError } from '../model/errors';
import { packagePath } from '../model/package-root';

/** Directory of the shipped playbooks, next to this file's source (also when running from dist/). */
export const PLAYBOOK_DIR = packagePath('ansible-bridge', 'playbooks');

/** The dynamic inventory script, next to this file's source. */
export const DYNAMIC_INVENTORY_SCRIPT = packagePath('ansible-bridge', 'dynamic-inventory.js');

/** Playbooks shipped with the toolkit (file names without `.yml`). */
export const PLAYBOOKS = ['proxmox-host-storage', 'proxmox-host-gpu', 'proxmox-host-zfs', 'proxmox-host-sysctl', 'guest-baseline', 'storage-box'] as const;

/**
 * A shipped playbook by name (`guest-baseline` or `guest-baseline.yml`), or a playbook file of the
 * user's (any path containing a slash). `exists` is injected so this stays free of fs access.
 */
export function resolvePlaybook(nameOrPath: string, exists: (file: string) => boolean): string {
  const bare = nameOrPath.replace(/\.ya?ml$/, '');
  if ((PLAYBOOKS as readonly string[]).includes(bare) && !nameOrPath.includes('/')) return path.join(PLAYBOOK_DIR, `${bare}.yml`);
  if (/[/\\]/.test(nameOrPath) && exists(nameOrPath)) return path.resolve(nameOrPath);
  throw new UsageError(`unknown playbook ${JSON.stringify(nameOrPath)}`, `Use one of ${PLAYBOOKS.join(', ')}, or a path to a playbook file (e.g. ./site.yml).`);
}

export interface PlaybookRun {
  /** Inventory file or dynamic inventory script. */
  readonly inventory: string;
  readonly playbook: string;
  /** Dry run: `--check` (add `--diff` through `extra` to see file changes). */
  readonly check?: boolean;
  /** Arguments passed through verbatim (after `--` on the pvestack command line). */
  readonly extra?: readonly string[];
}

/** `ansible-playbook -i <inventory> <playbook> [--check] [extra...]`. */
export function ansiblePlaybookArgv(run: PlaybookRun): string[] {
  return ['ansible-playbook', '-i', run.inventory, run.playbook, ...(run.check ? ['--check'] : []), ...(run.extra ?? [])];
}

/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line to print (e.g. when ansible-playbook is not installed), with env assignments first. */
export function formatCommand(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  return [...Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`), ...argv.map(shellQuote)].join(' ');
}
