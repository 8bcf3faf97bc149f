/**
 * The optional second opinion: `tofu`/`terraform` `init -backend=false` + `validate -json` on a
 * scratch copy of a synthesized stack. Many machines (CI runners behind a proxy, these dev boxes)
 * have a terraform binary but cannot install the provider; then the result is one "skipped" line,
 * never a failure — the offline schema validator already covered the document.
 *
 * The argv/env builders and output parsers are pure and unit-tested; `runTerraformValidate` is the
 * only part that touches the file system and spawns a process.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type TerraformStatus = 'passed' | 'failed' | 'skipped';

/** One diagnostic from `validate -json`. */
export interface TerraformDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  /** `cdk.tf.json:12,5` when terraform gave a range. */
  readonly location: string | null;
}

export interface TerraformValidateResult {
  readonly status: TerraformStatus;
  /** One line for humans: which binary ran and the verdict, or why it was skipped. */
  readonly detail: string;
  readonly diagnostics: readonly TerraformDiagnostic[];
}

/** Binaries tried in order: OpenTofu first (open licence, same validate semantics). */
export const TERRAFORM_BINARIES = ['tofu', 'terraform'] as const;

/** `init` without a backend (no state access, no credentials) and without prompts. */
export function initArgv(): string[] {
  return ['init', '-backend=false', '-input=false', '-no-color'];
}

export function validateArgv(): string[] {
  return ['validate', '-json', '-no-color'];
}

/**
 * The child's environment: the caller's, with version checks and prompts off. Provider mirrors
 * the user configured (`TF_CLI_CONFIG_FILE`, `TF_PLUGIN_CACHE_DIR`) are kept so that an offline
 * mirror still works.
 */
export function terraformEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return { ...env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

/** The first of `tofu`/`terraform` found executable on `pathList`, or undefined. */
export function findTerraformBinary(pathList: string, isExecutable: (file: string) => boolean = executable): string | undefined {
  for (const name of TERRAFORM_BINARIES) {
    for (const dir of pathList.split(path.delimiter)) {
      if (!dir) continue;
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Collapses terraform's boxed error output into one line: `Error: <summary>: <first detail line>`. */
export function summarizeFailure(output: string, maxLength = 160): string {
  const lines = output.split('\n').map((l) => l.replace(/^[│╷╵]/, '').trim());
  const start = lines.findIndex((l) => l.startsWith('Error: '));
  if (start < 0) return truncate(lines.filter(Boolean).pop() ?? 'no output', maxLength);
  let i = start + 1;
  while (i < lines.length && !lines[i]) i++;
  const paragraph: string[] = [];
  while (i < lines.length && lines[i]) paragraph.push(lines[i++]!);
  return truncate(`${lines[start]}${paragraph.length ? ` — ${paragraph.join(' ')}` : ''}`, maxLength);
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** Parses `validate -json` stdout; an unparseable answer is a failure with the raw text as detail. */
export function parseValidateJson(stdout: string): { valid: boolean; diagnostics: TerraformDiagnostic[] } {
  let parsed: { valid?: unknown; diagnostics?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    return { valid: false, diagnostics: [{ severity: 'error', summary: 'validate did not print JSON', detail: truncate(stdout, 240), location: null }] };
  }
  const raw = Array.isArray(parsed.diagnostics) ? (parsed.diagnostics as Record<string, unknown>[]) : [];
  const diagnostics = raw.map((d): TerraformDiagnostic => {
    const range = d.range as { filename?: string; start?: { line?: number; column?: number } } | undefined;
    return {
      severity: d.severity === 'warning' ? 'warning' : 'error',
      summary: String(d.summary ?? ''),
      detail: String(d.detail ?? ''),
      location: range?.filename ? `${range.filename}:${range.start?.line ?? 0},${range.start?.column ?? 0}` : null,
    };
  });
  return { valid: parsed.valid === true, diagnostics };
}

export interface RunOptions {
  /** @default found on process.env.PATH */
  readonly binary?: string;
  /** Per command. @default 60 s for init, 60 s for validate */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs init + validate on a scratch copy of `stackDir` (only its `*.tf.json` files, so that no
 * `.terraform` directory or lock file appears in the user's output). Never throws.
 */
export async function runTerraformValidate(stackDir: string, opts: RunOptions = {}): Promise<TerraformValidateResult> {
  const env = terraformEnv(opts.env ?? process.env);
  const binary = opts.binary ?? findTerraformBinary(env.PATH ?? '');
  if (!binary) return skipped('no tofu or terraform on PATH');
  const name = path.basename(binary);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-tfvalidate-'));
  try {
    for (const file of fs.readdirSync(stackDir).filter((f) => f.endsWith('.tf.json'))) fs.copyFileSync(path.join(stackDir, file), path.join(scratch, file));
    const timeout = opts.timeoutMs ?? 60_000;
    const init = await run(binary, initArgv(), scratch, env, timeout);
    if (init.code !== 0)
      return skipped(
        `${name} init -backend=false failed, so validate did not run (${init.timedOut ? `timed out after ${timeout} ms` : summarizeFailure(`${init.stdout}\n${init.stderr}`)})`,
      );
    const validate = await run(binary, validateArgv(), scratch, env, timeout);
    if (validate.timedOut) return skipped(`${name} validate timed out after ${timeout} ms`);
    const { valid, diagnostics } = parseValidateJson(validate.stdout);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    return valid
      ? {
          status: 'passed',
          detail: `${name} validate: valid${diagnostics.length ? ` (${diagnostics.length} warning${diagnostics.length === 1 ? '' : 's'})` : ''}`,
          diagnostics,
        }
      : { status: 'failed', detail: `${name} validate: ${errors} error${errors === 1 ? '' : 's'}`, diagnostics };
  } catch (err) {
    return skipped(`${name} could not run (${(err as Error).message})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function skipped(reason: string): TerraformValidateResult {
  return { status: 'skipped', detail: `skipped: ${reason}`, diagnostics: [] };
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function run(binary: string, argv: string[], cwd: string, env: Record<string, string>, timeout: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(binary, argv, { cwd, env, timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), timedOut: !!e?.killed });
    });
  });
}
