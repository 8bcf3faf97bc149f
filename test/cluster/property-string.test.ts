import { describe, expect, it } from 'vitest';
import { parsePropertyString, parseProxmoxSize, sizeToGib } from '../../cluster/property-string';
import { Size } from '../../model';

describe('parsePropertyString', () => {
  it('reads key=value pairs, a leading bare value going to the default key', () => {
    expect(parsePropertyString('local-lvm:vm-100-disk-1,size=200G,ssd=1', 'file')).toEqual({ file: 'local-lvm:vm-100-disk-1', size: '200G', ssd: '1' });
  });
});

describe('parseProxmoxSize', () => {
  it.each<[string, Size]>([
    ['200G', Size.gib(200)],
    ['4M', Size.mib(4)],
    ['1T', Size.gib(1024)],
    ['512', Size.bytes(512)],
    ['8k', Size.kib(8)],
    ['1.5G', Size.gib(1.5)],
  ])('reads %s in binary units, bytes without a unit', (text, size) => {
    expect(parseProxmoxSize(text)?.equals(size)).toBe(true);
  });

  it.each(['', '200GB', '-1G', 'G', '1P'])('gives undefined for %j', (text) => expect(parseProxmoxSize(text)).toBeUndefined());

  it('converts to GiB for the spec (a 4 MiB EFI disk is 1/256 GiB)', () => {
    expect(sizeToGib('4M')).toBe(1 / 256);
    expect(sizeToGib('32G')).toBe(32);
    expect(sizeToGib('nonsense')).toBeUndefined();
  });
});
