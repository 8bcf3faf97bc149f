import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { chrootVars, hasChrootConnection, PLAYBOOKS, recap, runAnsible, writeSpecAndInventory } from './support/ansible';
import { throwawayRoot, ThrowawayRoot } from './support/throwaway-root';

const tools = ['ansible-playbook', 'mmdebstrap', 'mount', ...(hasChrootConnection() ? [] : ['(ansible community.general.chroot connection)'])];

/**
 * The Proxmox host playbooks against a throwaway Debian root standing in for node `pve-a` (GRUB
 * boot, two GPUs with one device id, a ZFS pool). update-grub, update-initramfs and
 * proxmox-boot-tool are stubs that log their calls, so the handlers are observable.
 */
describeWithTools(
  'proxmox-host-gpu.yml and proxmox-host-zfs.yml against a throwaway root',
  tools,
  () => {
    const scratch = scratchDir('pvestack-hostpb-');
    let host: ThrowawayRoot;
    let inventory: string;
    const run = (playbook: string, ...extra: string[]) =>
      runAnsible('ansible-playbook', ['-i', inventory, path.join(PLAYBOOKS, playbook), '--limit', 'pve-a', ...chrootVars(host.root), ...extra]);

    beforeAll(() => {
      host = throwawayRoot();
      inventory = writeSpecAndInventory(smallSpec(), scratch.dir).inventoryFile;
      fs.writeFileSync(path.join(host.root, 'etc/default/grub'), 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n');
      for (const cmd of ['update-grub', 'update-initramfs', 'proxmox-boot-tool']) {
        fs.writeFileSync(path.join(host.root, 'usr/local/sbin', cmd), `#!/bin/sh\necho "${cmd} $*" >> /stub-calls.log\n`, { mode: 0o755 });
      }
    }, 900_000);
    afterAll(() => {
      host?.destroy();
      scratch.cleanup();
    });

    it('GPU: adds IOMMU flags to GRUB, vfio modules, the nouveau blacklist and vfio-pci ids, then reports a reboot instead of rebooting', () => {
      const r = run('proxmox-host-gpu.yml');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-a').changed).toBeGreaterThan(0);
      expect(host.read('etc/default/grub')).toMatch(/^GRUB_CMDLINE_LINUX_DEFAULT="quiet( intel_iommu=on)? iommu=pt"$/m);
      expect(host.read('etc/modules').split('\n')).toEqual(expect.arrayContaining(['vfio', 'vfio_iommu_type1', 'vfio_pci']));
      expect(host.read('etc/modprobe.d/pvestack-blacklist-nouveau.conf')).toMatch(/^blacklist nouveau$/m);
      expect(host.read('etc/modprobe.d/pvestack-vfio.conf')).toMatch(/^options vfio-pci ids=10de:27b8$/m);
      expect(host.read('stub-calls.log')).toBe('update-grub \nupdate-initramfs -u -k all\n');
      expect(r.output).toContain('reboot required on pve-a');
    }, 300_000);

    it('GPU: a second run changes nothing and runs no handler', () => {
      const r = run('proxmox-host-gpu.yml');
      expect(r.code, r.output).toBe(0);
      expect(recap(r.output, 'pve-a')).toMatchObject({ changed: 0, failed: 0 });
      expect(host.read('stub-calls.log')).toBe('update-grub \nupdate-initramfs -u -k all\n');
    }, 300_000);

    it('ZFS: writes the ARC limit from the spec in bytes, idempotently (no initramfs rebuild off a ZFS root)', () => {
      const handlersBefore = host.read('stub-calls.log');
      const first = run('proxmox-host-zfs.yml');
      expect(first.code, first.output).toBe(0);
      // 10% of the node's 128 GiB: 12.8 GiB.
      expect(host.read('etc/modprobe.d/zfs.conf')).toBe('options zfs zfs_arc_max=13743895347\n');
      const second = run('proxmox-host-zfs.yml');
      expect(recap(second.output, 'pve-a')).toMatchObject({ changed: 0, failed: 0 });
      expect(host.read('stub-calls.log')).toBe(handlersBefore);
    }, 300_000);
  },
  { root: true },
);
