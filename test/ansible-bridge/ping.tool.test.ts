import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSshd, TestSshd } from '../support/sshd';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { ROOT, runAnsible, writeSpecAndInventory } from './support/ansible';

describeWithTools('Ansible reaches a real sshd through the generated inventory', ['ansible', 'ansible-playbook', '/usr/sbin/sshd', 'ssh-keygen'], () => {
  const scratch = scratchDir('pvestack-ansible-ping-');
  let sshd: TestSshd;
  let files: { specFile: string; inventoryFile: string };
  let connection: string[];
  // Ansible's SSH control sockets go to this run's scratch directory, not ~/.ansible/cp.
  const controlDir = { ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(scratch.dir, 'cp') };
  beforeAll(async () => {
    sshd = await startSshd();
    // The external guest `edge` is the test sshd: address, port and user come from the spec.
    files = writeSpecAndInventory(smallSpec({ edgePort: sshd.port, edgeUser: 'root' }), scratch.dir);
    connection = [
      '-e',
      `ansible_ssh_private_key_file=${sshd.privateKeyPath}`,
      '-e',
      `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsPath} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'`,
    ];
  });
  afterAll(() => {
    sshd?.stop();
    scratch.cleanup();
  });

  it('ansible -m ping succeeds against the host, with its host key pinned', () => {
    const r = runAnsible('ansible', ['-i', files.inventoryFile, 'external', '-m', 'ping', '-o', ...connection], controlDir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/^edge \| SUCCESS/m);
  });

  it('a wrong host key is refused (strict host key checking really applies)', () => {
    const otherKnownHosts = path.join(scratch.dir, 'known_hosts_wrong');
    fs.writeFileSync(otherKnownHosts, `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G\n`);
    // A fresh connection: reusing the ControlPersist master of the first test would skip the host key check.
    const r = runAnsible(
      'ansible',
      [
        '-i',
        files.inventoryFile,
        'edge',
        '-m',
        'ping',
        '-o',
        '-e',
        `ansible_ssh_private_key_file=${sshd.privateKeyPath}`,
        '-e',
        `ansible_ssh_common_args='-o UserKnownHostsFile=${otherKnownHosts} -o StrictHostKeyChecking=yes'`,
      ],
      { ...controlDir, ANSIBLE_SSH_ARGS: '-o ControlMaster=no' },
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/UNREACHABLE/);
  });

  it('`pvestack ansible` runs ansible-playbook with the generated inventory and passes extra arguments through', () => {
    const playbook = path.join(scratch.dir, 'whoami.yml');
    fs.writeFileSync(
      playbook,
      '- hosts: storage_box\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: echo pvestack-{{ pvestack_environment }}-{{ pvestack_role }}\n      register: out\n      changed_when: false\n    - ansible.builtin.debug: var=out.stdout\n',
    );
    const r = runAnsible('node', [path.join(ROOT, 'bin/pvestack.js'), 'ansible', files.specFile, playbook, '--', ...connection], controlDir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('pvestack-lab-small-proxy');
    expect(r.output).toMatch(/edge\s+: ok=2\s+changed=0\s+unreachable=0\s+failed=0/);
  });
});
