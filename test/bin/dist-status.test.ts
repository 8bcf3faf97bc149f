/** bin/dist-status.js: when the compiled CLI in dist/ may run and when the sources must. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const { distProblem } = require('../../bin/dist-status.js') as { distProblem: (root: string) => string | undefined };

describe('distProblem', () => {
  let root: string;
  const write = (rel: string, text = '') => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  const age = (rel: string, msAgo: number) => {
    const t = new Date(Date.now() - msAgo);
    fs.utimesSync(path.join(root, rel), t, t);
  };
  /** A build that started `startedMsAgo` ago, with the given sources older than it. */
  const built = (startedMsAgo: number) => {
    write('bin/cli.ts');
    write('bin/commands/list.ts');
    for (const f of ['bin/cli.ts', 'bin/commands/list.ts', 'bin/commands', 'bin']) age(f, startedMsAgo + 60_000);
    write(
      'dist/.build.json',
      JSON.stringify({
        startedAt: Date.now() - startedMsAgo,
        dirs: { bin: ['cli.ts'], 'bin/commands': ['list.ts'] },
        sources: ['bin/cli.ts', 'bin/commands/list.ts'],
      }),
    );
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pvestack-dist-status-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts a build newer than every source', () => {
    built(1000);
    expect(distProblem(root)).toBeUndefined();
  });

  it('refuses a missing dist/', () => {
    expect(distProblem(root)).toBe('dist/ is missing');
  });

  it('refuses a build older than an edited source, naming it', () => {
    built(60_000);
    write('bin/commands/list.ts', 'edited');
    expect(distProblem(root)).toBe('bin/commands/list.ts changed after dist/ was built');
  });

  it('refuses a build when a verb file was added next to the compiled ones', () => {
    built(60_000);
    write('bin/commands/doctor.ts');
    expect(distProblem(root)).toBe(path.join('bin', 'commands', 'doctor.ts') + ' was added after dist/ was built');
  });

  it('accepts a build when other things appear next to the sources (dist/ itself, cdktf.out/, a README)', () => {
    built(60_000);
    fs.mkdirSync(path.join(root, 'bin', 'cdktf.out'));
    write('bin/README.md');
    expect(distProblem(root)).toBeUndefined();
  });

  it('refuses a build whose source was removed', () => {
    built(60_000);
    fs.rmSync(path.join(root, 'bin/cli.ts'));
    expect(distProblem(root)).toBe('bin/cli.ts was removed after dist/ was built');
  });
});
