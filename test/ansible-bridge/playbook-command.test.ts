import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiblePlaybookArgv, formatCommand, PLAYBOOK_DIR, PLAYBOOKS, resolvePlaybook } from '../../ansible-bridge/playbook-command';
import { UsageError } from '../../model';

describe('ansible-playbook command builder', () => {
  it('builds argv with the inventory, the playbook, --check and the pass-through arguments in order', () => {
    expect(ansiblePlaybookArgv({ inventory: 'inv.yml', playbook: 'pb.yml' })).toEqual(['ansible-playbook', '-i', 'inv.yml', 'pb.yml']);
    expect(ansiblePlaybookArgv({ inventory: 'inv.yml', playbook: 'pb.yml', check: true, extra: ['--limit', 'db', '-e', 'a=b'] })).toEqual([
      'ansible-playbook',
      '-i',
      'inv.yml',
      'pb.yml',
      '--check',
      '--limit',
      'db',
      '-e',
      'a=b',
    ]);
  });

  it('resolves shipped playbooks by name, user playbooks by path, and rejects anything else', () => {
    expect(resolvePlaybook('guest-baseline', () => false)).toBe(path.join(PLAYBOOK_DIR, 'guest-baseline.yml'));
    expect(resolvePlaybook('storage-box.yml', () => false)).toBe(path.join(PLAYBOOK_DIR, 'storage-box.yml'));
    expect(resolvePlaybook('./site.yml', () => true)).toBe(path.resolve('site.yml'));
    expect(() => resolvePlaybook('site', () => true)).toThrow(UsageError);
    expect(() => resolvePlaybook('./missing.yml', () => false)).toThrow(/guest-baseline/);
  });

  it('lists exactly the playbooks in the playbooks directory', () => {
    const files = fs
      .readdirSync(PLAYBOOK_DIR)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => f.replace(/\.yml$/, ''));
    expect([...files].sort()).toEqual([...PLAYBOOKS].sort());
  });

  it('prints a command a shell runs unchanged', () => {
    expect(formatCommand(['ansible-playbook', '-e', "msg=it's here", 'pb.yml'], { PVESTACK_ENV: 'production' })).toBe(
      `PVESTACK_ENV=production ansible-playbook -e 'msg=it'\\''s here' pb.yml`,
    );
  });
});
