import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { systemdEscapePath } from '../../templates/storage-box-units';

const hasTool = spawnSync('systemd-escape', ['--version']).status === 0;
if (!hasTool) console.warn('\n!!! systemd-escape not found: skipping the real-tool escaping test (CI installs systemd) !!!\n');

(hasTool ? describe : describe.skip)('systemdEscapePath agrees with systemd-escape --path', () => {
  it.each(['/mnt/storagebox', '/mnt/storage-box/ai data', '/', '/mnt//box/', '/srv/.hidden', '/.hidden', '/mnt/a:b_c.d', '/mnt/ü', '/mnt/x+y@z'])(
    '%s',
    (path) => {
      expect(systemdEscapePath(path)).toBe(execFileSync('systemd-escape', ['--path', path], { encoding: 'utf8' }).trim());
    },
  );
});
