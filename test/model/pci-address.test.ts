import { describe, expect, it } from 'vitest';
import { PciAddress } from '../../model';

describe('PciAddress', () => {
  it('parses and prints the lspci -D form, lowercase', () => {
    const a = PciAddress.parse('0000:0A:1f.3');
    expect([a.domain, a.bus, a.device, a.fn]).toEqual([0, 10, 31, 3]);
    expect(a.toString()).toBe('0000:0a:1f.3');
    expect(a.toSlot()).toBe('0000:0a:1f');
  });

  it('sorts by number, not by text', () => {
    const sorted = ['0000:10:00.0', '0000:0A:00.0', '0000:02:00.1', '0000:02:00.0'].map(PciAddress.parse).sort(PciAddress.compare);
    expect(sorted.map(String)).toEqual(['0000:02:00.0', '0000:02:00.1', '0000:0a:00.0', '0000:10:00.0']);
  });

  it.each(['01:00.0', '0000:01:00.8', '0000:01:00', 'gpu0'])('rejects %s with the expected form', (text) => {
    expect(() => PciAddress.parse(text)).toThrow(/not a PCI address: .*e\.g\. 0000:01:00\.0/);
  });
});
