/**
 * The real `pvestack` CLI in a subprocess, without blocking this process: tests whose stand-in
 * servers (the Proxmox API on loopback) answer from the same process need the event loop free.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'pvestack.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pvestack ...args` in the repository root; PROXMOX_VE_* of this process are not passed on. */
export function pvestackAsync(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROXMOX_VE_')));
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...clean, CHECKPOINT_DISABLE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
