import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSshd, TestSshd } from './sshd';
import { describeWithTools, run } from './tools';

describeWithTools(
  'test harness: sshd on loopback',
  ['ssh', 'ssh-keygen', '/usr/sbin/sshd'],
  () => {
    let sshd: TestSshd;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(() => sshd?.stop());

    it('accepts the client key and pins the host key', () => {
      expect(run('ssh', [...sshd.sshArgs, 'echo', 'ok']).trim()).toBe('ok');
      expect(sshd.hostFingerprint).toMatch(/^SHA256:/);
    });

    it("gives sessions a HOME of their own with Debian's stock root .bashrc, not this machine's", () => {
      const seen = run('ssh', [...sshd.sshArgs, 'echo "$HOME"; cat ~/.bashrc']);
      const [home, ...bashrc] = seen.split('\n');
      expect(home).toBe(path.join(sshd.dir, 'home'));
      expect(bashrc.join('\n')).toBe(fs.readFileSync('/usr/share/base-files/dot.bashrc', 'utf8'));
    });
  },
  { root: true },
);
