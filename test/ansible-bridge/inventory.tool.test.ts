import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PLAYBOOKS as SHIPPED } from '../../ansible-bridge/playbook-command';
import { describeWithTools, scratchDir } from '../support/tools';
import { smallSpec } from './fixture';
import { DYNAMIC, PLAYBOOKS, ROOT, runAnsible, writeSpecAndInventory } from './support/ansible';

/** `ansible-inventory --list` output, which merges group vars into each host's vars. */
function list(inventory: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const r = runAnsible('ansible-inventory', ['-i', inventory, '--list'], env);
  expect(r.code, r.output).toBe(0);
  return JSON.parse(r.output.slice(r.output.indexOf('{'), r.output.lastIndexOf('}') + 1));
}

describeWithTools('Ansible reads the generated inventories (Debian ansible-core)', ['ansible-inventory', 'ansible-playbook'], () => {
  const scratch = scratchDir('pvestack-ansible-inv-');
  afterAll(() => scratch.cleanup());

  for (const envName of ['production', 'production-as-planned']) {
    it(`${envName}: the static YAML from \`pvestack inventory\` and the dynamic script give the same hosts, groups and vars`, () => {
      const file = path.join(scratch.dir, `${envName}.yml`);
      const cli = runAnsible('node', [path.join(ROOT, 'bin/pvestack.js'), 'inventory', envName, '--out', file]);
      expect(cli.code, cli.output).toBe(0);
      const fromStatic = list(file);
      const fromScript = list(DYNAMIC, { PVESTACK_ENV: envName });
      expect(fromScript).toEqual(fromStatic);
      const group = envName.replace(/-/g, '_');
      expect((fromStatic.all as { children: string[] }).children).toContain(group);
      const hostvars = (fromStatic._meta as { hostvars: Record<string, Record<string, unknown>> }).hostvars;
      expect(hostvars.llm).toMatchObject({
        ansible_host: '10.20.0.30',
        pvestack_environment: envName,
        pvestack_gpus: [expect.objectContaining({ pci_address: '0000:01:00.0' })],
      });
      expect((fromStatic.gpu as { hosts: string[] }).hosts).toEqual(['llm', 'ml']);
      expect((fromStatic.proxmox_nodes as { hosts: string[] }).hosts).toEqual(['pve1', 'pve2', 'pve3', 'pve4', 'pve5']);
    });
  }

  it('a spec file: static and dynamic agree, from any working directory', () => {
    const { specFile, inventoryFile } = writeSpecAndInventory(smallSpec(), scratch.dir);
    const fromScript = list(DYNAMIC, { PVESTACK_ENV: specFile });
    expect(fromScript).toEqual(list(inventoryFile));
    // Ansible may call the script from anywhere: it finds the project from its own location.
    const elsewhere = runAnsible('ansible-inventory', ['-i', DYNAMIC, '--list'], { PVESTACK_ENV: specFile }, scratch.dir);
    expect(elsewhere.code, elsewhere.output).toBe(0);
    expect((fromScript.node_pve_a as { hosts: string[] }).hosts).toEqual(['infer']);
  });

  it('an unknown environment makes the dynamic inventory fail instead of giving an empty inventory', () => {
    const r = runAnsible('ansible-inventory', ['-i', DYNAMIC, '--list'], { PVESTACK_ENV: 'nowhere' });
    expect(r.code).not.toBe(0);
  });

  it('every shipped playbook passes ansible-playbook --syntax-check against a generated inventory', () => {
    const files = fs.readdirSync(PLAYBOOKS).filter((f) => f.endsWith('.yml'));
    expect(files.map((f) => f.replace(/\.yml$/, '')).sort()).toEqual([...SHIPPED].sort());
    const { inventoryFile } = writeSpecAndInventory(smallSpec(), scratch.dir);
    for (const file of files) {
      const r = runAnsible('ansible-playbook', ['--syntax-check', '-i', inventoryFile, path.join(PLAYBOOKS, file)]);
      expect(r.code, `${file}\n${r.output}`).toBe(0);
      expect(r.output).not.toMatch(/Could not match supplied host pattern/);
    }
  });
});
