import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storageBoxCredentialsPath, storageBoxKeyPath, storageBoxKnownHostsPath } from '../../templates/storage-box-units';
import { describeWithTools, run as runTool, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { chrootVars, hasChrootConnection, PLAYBOOKS, recap, runAnsible, writeSpecAndInventory } from './support/ansible';
import { throwawayRoot, ThrowawayRoot } from './support/throwaway-root';

const tools = ['ansible-playbook', 'mmdebstrap', 'mount', 'ssh-keygen', ...(hasChrootConnection() ? [] : ['(ansible community.general.chroot connection)'])];
const PASSWORD = "correct horse $battery 'staple'";

describeWithTools(
  'storage-box.yml against a throwaway Debian root',
  tools,
  () => {
    const scratch = scratchDir('pvestack-storagebox-');
    let host: ThrowawayRoot;
    let inventory: string;
    let secrets: Record<string, string>;
    const playbook = path.join(PLAYBOOKS, 'storage-box.yml');
    const cred = storageBoxCredentialsPath('backup').slice(1);
    const key = storageBoxKeyPath('models').slice(1);
    const run = (env: Record<string, string>, ...extra: string[]) =>
      runAnsible('ansible-playbook', ['-i', inventory, playbook, ...chrootVars(host.root), ...extra], env);

    beforeAll(() => {
      host = throwawayRoot();
      inventory = writeSpecAndInventory(smallSpec(), scratch.dir).inventoryFile;
      runTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'storagebox', '-f', path.join(scratch.dir, 'box_key')]);
      secrets = { PVESTACK_TEST_BOX_PASSWORD: PASSWORD, PVESTACK_TEST_BOX_KEY: fs.readFileSync(path.join(scratch.dir, 'box_key'), 'utf8') };
    }, 900_000);
    afterAll(() => {
      host?.destroy();
      scratch.cleanup();
    });

    it('refuses to run without the secret, naming the environment variable but no value', () => {
      const r = run({ PVESTACK_TEST_BOX_KEY: secrets.PVESTACK_TEST_BOX_KEY! });
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('PVESTACK_TEST_BOX_PASSWORD');
      expect(host.exists(cred)).toBe(false);
    }, 300_000);

    it('--check reports the files and writes nothing', () => {
      const r = run(secrets, '--check');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge').changed).toBeGreaterThan(0);
      expect(host.exists(cred)).toBe(false);
      expect(r.output).not.toContain('horse');
    }, 300_000);

    it('a real run writes the CIFS credentials and the SSHFS key with mode 0600 where the mount units look', () => {
      const r = run(secrets);
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge').changed).toBeGreaterThan(0);
      expect(r.output).not.toContain('horse');
      expect(r.output).not.toContain('PRIVATE KEY');
      expect(host.stat('etc/pvestack').mode & 0o777).toBe(0o700);
      expect(host.stat(cred).mode & 0o777).toBe(0o600);
      expect(host.stat(key).mode & 0o777).toBe(0o600);
      expect(host.read(cred)).toBe(`username=u111111\npassword=${PASSWORD}\n`);
      // The written key is a usable OpenSSH private key: its public half matches.
      const pub = runTool('ssh-keygen', ['-y', '-f', path.join(host.root, key)])
        .trim()
        .split(' ')
        .slice(0, 2)
        .join(' ');
      expect(pub).toBe(fs.readFileSync(path.join(scratch.dir, 'box_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '));
    }, 300_000);

    it("writes the external host's mount units and the SSHFS box's pinned known_hosts, as cloud-init does on VMs", () => {
      expect(host.read('etc/systemd/system/mnt-backup.mount')).toContain('What=//u111111.your-storagebox.de/backup/edge');
      expect(host.read('etc/systemd/system/mnt-backup.mount')).toContain('Requires=pvestack-storagebox-folder-mnt-backup.service');
      expect(host.read('etc/systemd/system/pvestack-storagebox-folder-mnt-backup.service')).toContain('mount -t cifs //u111111.your-storagebox.de/backup');
      expect(host.read('etc/systemd/system/mnt-models.mount')).toContain('Type=fuse.sshfs');
      expect(host.read('etc/systemd/system/mnt-models.automount')).toContain('Where=/mnt/models');
      expect(host.read(storageBoxKnownHostsPath('models').slice(1))).toMatch(/^\[u222222\.your-storagebox\.de\]:23 ssh-ed25519 AAAA\S+\n$/);
    });

    it('a second run changes nothing', () => {
      const r = run(secrets);
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'edge')).toMatchObject({ changed: 0, failed: 0 });
    }, 300_000);
  },
  { root: true },
);
