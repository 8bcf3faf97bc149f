import { describe, expect, it } from 'vitest';
import { fixtureEnv, resourceAt, synthEnv } from './fixture';

describe('StorageBoxStorage', () => {
  it('attaches the box as encrypted CIFS backup storage with the password from a sensitive variable', () => {
    const tf = synthEnv(fixtureEnv());
    expect(resourceAt(tf, 'proxmox_storage_cifs', 'storagebox-offsite')).toEqual({
      id: 'hsb',
      server: 'u100001.your-storagebox.de',
      share: 'backup',
      username: 'u100001',
      password: '${var.storagebox_offsite_password}',
      subdirectory: '/pve',
      options: 'seal',
      content: ['backup'],
    });
    const variable = tf.variable!.storagebox_offsite_password!;
    expect(variable).toMatchObject({ type: 'string', sensitive: true });
    expect(variable).not.toHaveProperty('default');
  });

  it('is not created for a box without proxmoxStorageId', () => {
    const tf = synthEnv(fixtureEnv((s) => (s.storageBoxes[0] = { ...s.storageBoxes[0]!, proxmoxStorageId: undefined })));
    expect(tf.resource.proxmox_storage_cifs).toBeUndefined();
    expect(tf.variable).toBeUndefined();
  });

  it('synthesizes as snapshotted', () => {
    const tf = synthEnv(fixtureEnv());
    expect({ storage: tf.resource.proxmox_storage_cifs, variable: tf.variable }).toMatchSnapshot();
  });
});
