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
  },
  { root: true },
);
