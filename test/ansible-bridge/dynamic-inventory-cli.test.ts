import { describe, expect, it } from 'vitest';
import { runDynamicInventory } from '../../ansible-bridge/dynamic-inventory-cli';
import { validateEnvironment } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { smallSpec } from './fixture';

const load = (name: string) => (name === 'small' ? validateEnvironment(smallSpec(), 'fixture') : loadEnvironment(name));

describe('dynamic inventory protocol', () => {
  it('answers --list with groups and _meta.hostvars', () => {
    const r = runDynamicInventory(['--list'], 'small', load);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.all.children).toEqual(['lab_small']);
    expect(out._meta.hostvars.infer.ansible_host).toBe('10.30.0.20');
  });

  it("answers --host with one host's vars, and {} for an unknown host", () => {
    expect(JSON.parse(runDynamicInventory(['--host', 'kv'], 'small', load).stdout)).toMatchObject({ ansible_host: '10.30.0.21', pvestack_kind: 'lxc' });
    expect(JSON.parse(runDynamicInventory(['--host', 'nope'], 'small', load).stdout)).toEqual({});
  });

  it('fails with exit 2 and a hint when PVESTACK_ENV is missing, the arguments are wrong or the environment is unknown', () => {
    const noEnv = runDynamicInventory(['--list'], undefined, load);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('PVESTACK_ENV is not set');
    expect(runDynamicInventory([], 'small', load).stderr).toContain('usage:');
    const unknown = runDynamicInventory(['--list'], 'nowhere', load);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Known environments');
  });
});
