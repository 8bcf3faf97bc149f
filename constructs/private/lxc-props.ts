import type { ProxmoxLxcProps } from '../lxc';
import { checkGuestProps } from './guest-props';
import { PropsCheck } from './props-check';

/**
 * Checks the props of a `ProxmoxLxc` used on its own and throws every problem at once as an
 * `InvalidPropsError` (path, value, hint per problem). A guest of a validated environment passes:
 * the spec validator checked the same facts with the spec's paths.
 */
export function checkLxcProps(construct: string, props: ProxmoxLxcProps): void {
  const c = new PropsCheck(construct);
  checkGuestProps(c, props);
  if (props.rootDisk) {
    c.positive(props.rootDisk.sizeGib, 'rootDisk.sizeGib', 'Give the root disk size in GiB, e.g. 8.');
    c.expect(
      props.rootDisk.datastoreId.length > 0,
      'rootDisk.datastoreId',
      'is empty',
      'Name a storage with content rootdir, e.g. local-lvm.',
      props.rootDisk.datastoreId,
    );
  }
  (props.mountPoints ?? []).forEach((m, i) => {
    c.positive(m.sizeGib, `mountPoints[${i}].sizeGib`, 'Give the volume size in GiB, e.g. 100.');
    c.expect(m.datastoreId.length > 0, `mountPoints[${i}].datastoreId`, 'is empty', 'Name a storage with content rootdir, e.g. local-lvm.', m.datastoreId);
    c.expect(
      /^\/\S*$/.test(m.path),
      `mountPoints[${i}].path`,
      'is not an absolute path',
      'Write where the volume appears in the container, e.g. /srv/data.',
      m.path,
    );
  });
  (props.devices ?? []).forEach((d, i) => {
    c.expect(/^\/dev\/[^\s]+$/.test(d.path), `devices[${i}].path`, 'is not a device node under /dev', 'Write the host device path, e.g. /dev/nvidia0.', d.path);
    if (d.mode !== undefined)
      c.expect(/^0?[0-7]{3}$/.test(d.mode), `devices[${i}].mode`, 'is not an octal mode', "Write it as Proxmox does, e.g. '0666'.", d.mode);
  });
  c.done();
}
