import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_SYSCTL_PATH } from '../../templates/redis/kernel-settings';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { chrootVars, hasChrootConnection, PLAYBOOKS, recap, runAnsible, writeSpecAndInventory } from './support/ansible';
import { throwawayRoot, ThrowawayRoot } from './support/throwaway-root';

const tools = ['ansible-playbook', 'mmdebstrap', 'mount', ...(hasChrootConnection() ? [] : ['(ansible community.general.chroot connection)'])];
const SYSCTL_FILE = REDIS_SYSCTL_PATH.slice(1);

/**
 * proxmox-host-sysctl.yml against a throwaway Debian root standing in for the fixture's nodes:
 * pve-b hosts the Redis container `kv`, pve-a hosts none. `sysctl` is a stub that logs its calls
 * (the chroot shares this machine's kernel, which the test must not change), so loading the file
 * is observable and pvestack_apply_sysctl is turned back on.
 */
describeWithTools(
  'proxmox-host-sysctl.yml against a throwaway root',
  tools,
  () => {
    const scratch = scratchDir('pvestack-sysctlpb-');
    let host: ThrowawayRoot;
    let inventory: string;
    const run = (node: string, ...extra: string[]) =>
      runAnsible('ansible-playbook', [
        '-i',
        inventory,
        path.join(PLAYBOOKS, 'proxmox-host-sysctl.yml'),
        '--limit',
        node,
        ...chrootVars(host.root),
        '-e',
        'pvestack_apply_sysctl=true',
        ...extra,
      ]);
    const calls = () => (host.exists('stub-calls.log') ? host.read('stub-calls.log') : '');

    beforeAll(() => {
      host = throwawayRoot();
      inventory = writeSpecAndInventory(smallSpec(), scratch.dir).inventoryFile;
      fs.writeFileSync(path.join(host.root, 'usr/local/sbin/sysctl'), '#!/bin/sh\necho "sysctl $*" >> /stub-calls.log\n', { mode: 0o755 });
    }, 900_000);
    afterAll(() => {
      host?.destroy();
      scratch.cleanup();
    });

    it('a node without a Redis container gets nothing', () => {
      const r = run('pve-a');
      expect(r.code, r.output).toBe(0);
      // The host ends at the first task, which leaves it out of the recap: no task ran on it.
      expect(r.output).not.toMatch(/(changed|failed|fatal): \[pve-a\]/);
      expect(host.exists(SYSCTL_FILE)).toBe(false);
    }, 300_000);

    it('--check on the Redis container node reports the file and writes nothing', () => {
      const r = run('pve-b', '--check');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-b').changed).toBe(1);
      expect(host.exists(SYSCTL_FILE)).toBe(false);
      expect(calls()).toBe('');
    }, 300_000);

    it('writes vm.overcommit_memory = 1 on the node that hosts the Redis container and loads it', () => {
      const r = run('pve-b');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-b')).toMatchObject({ changed: 2, failed: 0 });
      expect(host.read(SYSCTL_FILE)).toBe('vm.overcommit_memory = 1\n');
      expect(fs.statSync(path.join(host.root, SYSCTL_FILE)).mode & 0o777).toBe(0o644);
      expect(calls()).toBe(`sysctl -p ${REDIS_SYSCTL_PATH}\n`);
      expect(r.output).toContain('Redis on kv');
    }, 300_000);

    it('a second run changes nothing and loads nothing', () => {
      const r = run('pve-b');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-b')).toMatchObject({ changed: 0, failed: 0 });
      expect(host.read(SYSCTL_FILE)).toBe('vm.overcommit_memory = 1\n');
      expect(calls()).toBe(`sysctl -p ${REDIS_SYSCTL_PATH}\n`);
    }, 300_000);
  },
  { root: true },
);
