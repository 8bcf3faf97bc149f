import type { ProxmoxVmProps } from '../vm';
import { checkGuestProps } from './guest-props';
import { PropsCheck } from './props-check';

/**
 * Checks the props of a `ProxmoxVm` used on its own and throws every problem at once as an
 * `InvalidPropsError` (path, value, hint per problem). A guest of a validated environment passes:
 * the spec validator checked the same facts with the spec's paths.
 */
export function checkVmProps(construct: string, props: ProxmoxVmProps): void {
  const c = new PropsCheck(construct);
  checkGuestProps(c, props);
  if (props.disks !== undefined)
    c.expect(props.disks.length > 0, 'disks', 'is empty', 'Give at least the boot disk, or leave disks out for one 32 GiB disk on local-lvm.', props.disks);
  (props.disks ?? []).forEach((d, i) => {
    c.positive(d.sizeGib, `disks[${i}].sizeGib`, 'Give the disk size in GiB, e.g. 32.');
    c.expect(d.datastoreId.length > 0, `disks[${i}].datastoreId`, 'is empty', 'Name a storage with content images, e.g. local-lvm.', d.datastoreId);
  });
  (props.gpuMappings ?? []).forEach((m, i) =>
    c.expect(m.length > 0, `gpuMappings[${i}]`, 'is empty', 'Name a PCI resource mapping (hardware_mapping_pci), e.g. gpu-a.', m),
  );
  c.done();
}
