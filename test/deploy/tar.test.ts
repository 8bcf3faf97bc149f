import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarArchive } from '../../deploy/tar';
import { scratchDir } from '../support/tools';

describe('release archive (ustar)', () => {
  it('GNU tar unpacks it with contents, file modes and 0755 parent directories, even under umask 077', () => {
    const { dir, cleanup } = scratchDir();
    try {
      const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.conf`;
      const archive = tarArchive([
        { path: 'compose.yaml', content: 'services: {}\n', mode: 0o644 },
        { path: 'secrets/app.env', content: 'TOKEN=ünïcode\n', mode: 0o600 },
        { path: long, content: 'x'.repeat(1000), mode: 0o644 },
      ]);
      execFileSync('sh', ['-c', `umask 077 && tar -x -p --no-same-owner -C ${dir}`], { input: archive });
      expect(fs.readFileSync(path.join(dir, 'secrets/app.env'), 'utf8')).toBe('TOKEN=ünïcode\n');
      expect(fs.statSync(path.join(dir, 'secrets/app.env')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dir, 'compose.yaml')).mode & 0o777).toBe(0o644);
      expect(fs.statSync(path.join(dir, 'secrets')).mode & 0o777).toBe(0o755);
      expect(fs.readFileSync(path.join(dir, long), 'utf8')).toHaveLength(1000);
    } finally {
      cleanup();
    }
  });

  it('is deterministic', () => {
    const files = [{ path: 'a/b.txt', content: 'b', mode: 0o644 }];
    expect(tarArchive(files).equals(tarArchive(files))).toBe(true);
  });
});
