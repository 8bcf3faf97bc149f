import { describe, expect, it } from 'vitest';
import { diffEnvironment, diffReport } from '../../diff/index';
import { loadEnvironment } from '../../stacks/registry';
import { sampleInput } from './support/sample';

describe('diffEnvironment', () => {
  const d = diffEnvironment(sampleInput());

  it('counts each kind of change', () => {
    expect(d.counts).toEqual({
      create: 0,
      import: 0,
      update: 1,
      replace: 1,
      delete: 0,
      reboot: 1,
      flowsOpened: 1,
      flowsClosed: 0,
      stacksChanged: 1,
      secretsChanged: 2,
    });
  });

  it('puts the replaced stateful db first, blocked by prevent_destroy', () => {
    expect(d.risks).toEqual([
      {
        address: 'proxmox_virtual_environment_vm.db_2',
        guest: 'db',
        action: 'replace',
        stateful: 'stateful guest db (role db)',
        causes: ['node_name'],
        blockedByPreventDestroy: true,
      },
    ]);
    expect(d.verdict).toMatch(/^Blocked: 1 protected resource would be replaced; prevent_destroy stops the apply/);
  });

  it('gives a way out that the spec allows (it has no migrate field to set)', () => {
    expect(d.verdict).toContain(
      'Undo the spec change that forces the replacement (the cause is listed per resource), or back up the data and remove the protection deliberately.',
    );
    expect(d.verdict).not.toMatch(/migrate/);
  });

  it('lists the web VM as an in-place update that reboots', () => {
    expect(d.reboots).toEqual([{ address: 'proxmox_virtual_environment_vm.web_1', guest: 'web', because: ['cpu'] }]);
  });

  it('reports 5432 opened to the internet as a new public port', () => {
    expect(d.security.publicPortsOpened).toEqual([{ from: 'internet', to: 'db', proto: 'tcp', port: '5432' }]);
    expect(d.security.flowsClosed).toEqual([]);
  });

  it('reports the image bump, the new env key and the changed secret without values', () => {
    const [app] = d.applications;
    expect(app).toMatchObject({
      guest: 'web',
      stack: 'app',
      status: 'modified',
      images: [{ service: 'web', before: 'ghcr.io/example-edu/web:1.9.0-rc.1', after: 'ghcr.io/example-edu/web:1.9.0' }],
      envAdded: ['web.FEATURE_FLAGS'],
      envChanged: ['secrets.env:DATABASE_PASSWORD'],
    });
    expect(d.secrets).toEqual([
      { name: 'postgres-password', change: 'changed (masked)' },
      { name: 'web/app/secrets.env:DATABASE_PASSWORD', change: 'changed (masked)' },
    ]);
    expect(JSON.stringify(d)).not.toContain('PVESTACK_PG_PASSWORD');
  });

  it('says nothing changed when both revisions are equal', () => {
    const env = loadEnvironment('staging');
    const same = diffEnvironment({ environment: 'staging', base: { env, terraform: { resource: {} } }, head: { env, terraform: { resource: {} } } });
    expect(same.hasChanges).toBe(false);
    expect(same.verdict).toBe('No changes.');
    expect(diffReport('main', 'head', [same])).toMatchObject({ hasChanges: false, destroysStateful: false });
  });

  it('treats an environment missing from the base as added, with every flow opened', () => {
    const env = loadEnvironment('staging');
    const added = diffEnvironment({
      environment: 'staging',
      base: {},
      head: { env, terraform: { resource: { proxmox_virtual_environment_vm: { web: { name: 'web' } } } } },
    });
    expect(added.status).toBe('added');
    expect(added.counts.create).toBe(1);
    expect(added.security.publicPortsOpened.map((f) => f.port)).toEqual(['80', '443']);
  });
});
