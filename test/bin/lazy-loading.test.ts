/**
 * Start-up cost of the CLI: registering every verb with commander (what `pvestack --help` and
 * every command pay) loads none of the heavy modules; each verb loads what it needs when it runs.
 * A new verb file that imports cdktf, SSH or the deployer at its top fails here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-lazy-'));
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

let runs = 0;

/** Project files and packages loaded by `main(argv)` of the CLI sources, in a fresh node process. */
function modulesLoadedBy(...args: string[]): string[] {
  const list = path.join(SCRATCH, `modules-${++runs}.json`);
  const code = [
    "require('tsx/cjs');",
    `require('./bin/cli.ts').main(['node', 'pvestack', ...${JSON.stringify(args)}])`,
    `.then(() => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  return (JSON.parse(fs.readFileSync(list, 'utf8')) as string[]).map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
}

const CDKTF = /node_modules\/cdktf\//;
/** What no verb may load just to register itself. */
const HEAVY = [
  CDKTF,
  /node_modules\/constructs\//,
  /node_modules\/(node-ssh|ssh2)\//,
  /node_modules\/@pulumi\//,
  /node_modules\/yaml\//,
  /^\.gen\//,
  /^constructs\//,
  /^diff\//,
  /^deploy\//,
  /^ansible-bridge\/inventory/,
  /^templates\//,
  /^checks\//,
  /^stacks\//,
];

describe('CLI module loading', () => {
  it('--help registers every verb without loading cdktf, the bindings, SSH, deploy, diff, ansible, templates or the specs', () => {
    const loaded = modulesLoadedBy('--help');
    expect(loaded.filter((f) => HEAVY.some((re) => re.test(f)))).toEqual([]);
    // The verb files themselves are loaded: the help lists them all.
    expect(loaded).toContain('bin/commands/synth.ts');
  });

  it('check loads the checks and the specs, but not cdktf nor the TypeScript compiler (it only locates spec errors)', () => {
    const loaded = modulesLoadedBy('--json', 'check', 'production');
    expect(loaded).toContain('checks/index.ts');
    expect(loaded.filter((f) => CDKTF.test(f) || /node_modules\/typescript\//.test(f))).toEqual([]);
  });

  it('synth loads cdktf', () => {
    const loaded = modulesLoadedBy('--json', '--out', path.join(SCRATCH, 'out'), 'synth', 'production');
    expect(loaded.some((f) => CDKTF.test(f))).toBe(true);
  });
});
