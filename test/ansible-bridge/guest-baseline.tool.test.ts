import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REDIS_SYSCTL_PATH } from '../../templates/redis/kernel-settings';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { chrootVars, hasChrootConnection, PLAYBOOKS, recap, runAnsible, writeSpecAndInventory } from './support/ansible';
import { throwawayRoot, ThrowawayRoot } from './support/throwaway-root';

const tools = ['ansible-playbook', 'mmdebstrap', 'mount', ...(hasChrootConnection() ? [] : ['(ansible community.general.chroot connection)'])];

describeWithTools(
  'guest-baseline.yml against a throwaway Debian root',
  tools,
  () => {
    const scratch = scratchDir('pvestack-baseline-');
    let host: ThrowawayRoot;
    let inventory: string;
    const playbook = path.join(PLAYBOOKS, 'guest-baseline.yml');
    // `edge` is the fixture's external proxy host, logged into as root: fail2ban and key-only root login apply.
    const run = (...extra: string[]) => runAnsible('ansible-playbook', ['-i', inventory, playbook, '--limit', 'edge', ...chrootVars(host.root), ...extra]);

    beforeAll(() => {
      host = throwawayRoot();
      // With Redis on `edge`: an external host gets Redis's kernel setting from this playbook.
      const spec = smallSpec();
      const guests = spec.guests.map((g) => (g.name === 'edge' ? { ...g, stacks: [{ kind: 'redis' as const, passwordSecret: 'redis-password' }] } : g));
      inventory = writeSpecAndInventory({ ...spec, guests }, scratch.dir).inventoryFile;
      // nvidia-ctk writes the runtime into daemon.json; the baseline must keep it.
      fs.mkdirSync(path.join(host.root, 'etc/docker'), { recursive: true });
      fs.writeFileSync(
        path.join(host.root, 'etc/docker/daemon.json'),
        JSON.stringify({ runtimes: { nvidia: { path: 'nvidia-container-runtime', args: [] } } }),
      );
    }, 900_000);
    afterAll(() => {
      host?.destroy();
      scratch.cleanup();
    });

    it('--check reports the changes and changes nothing', () => {
      const r = run('--check');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge').changed).toBeGreaterThan(0);
      expect(host.exists('etc/ssh/sshd_config.d/10-pvestack-hardening.conf')).toBe(false);
      expect(host.exists('usr/bin/fail2ban-server')).toBe(false);
      expect(host.exists(REDIS_SYSCTL_PATH.slice(1))).toBe(false);
    }, 300_000);

    it('a real run hardens sshd, enables security upgrades, installs fail2ban on the proxy, rotates Docker logs and sets the kernel setting Redis needs', () => {
      const r = run();
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge').changed).toBeGreaterThan(0);
      const sshd = host.read('etc/ssh/sshd_config.d/10-pvestack-hardening.conf');
      expect(sshd).toMatch(/^PasswordAuthentication no$/m);
      expect(sshd).toMatch(/^PermitRootLogin prohibit-password$/m);
      expect(host.read('etc/apt/apt.conf.d/20auto-upgrades')).toContain('APT::Periodic::Unattended-Upgrade "1";');
      expect(host.read('etc/apt/apt.conf.d/52pvestack-unattended-upgrades')).toContain('label=Debian-Security');
      expect(host.exists('usr/bin/fail2ban-server')).toBe(true);
      expect(host.read('etc/fail2ban/jail.d/pvestack.local')).toMatch(/\[sshd\]\nenabled = true/);
      expect(JSON.parse(host.read('etc/docker/daemon.json'))).toEqual({
        'log-driver': 'json-file',
        'log-opts': { 'max-file': '3', 'max-size': '10m' },
        runtimes: { nvidia: { path: 'nvidia-container-runtime', args: [] } },
      });
      expect(host.read(REDIS_SYSCTL_PATH.slice(1))).toBe('vm.overcommit_memory = 1\n');
    }, 600_000);

    it('a second run changes nothing', () => {
      const r = run();
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge')).toMatchObject({ changed: 0, failed: 0 });
      expect(host.read(REDIS_SYSCTL_PATH.slice(1))).toBe('vm.overcommit_memory = 1\n');
    }, 300_000);
  },
  { root: true },
);
