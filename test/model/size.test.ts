import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Size } from '../../model';

/** Spec-like sizes: GiB with up to two decimals (0.25 GiB of RAM, 12.5 GiB of disk), up to 64 TiB. */
const gib = fc.integer({ min: 0, max: 64 * 1024 * 100 }).map((n) => n / 100);
/** Whole bytes up to 2^50: sums of a few stay exact integers in a double. */
const bytes = fc.integer({ min: 0, max: 2 ** 50 });
const size = bytes.map(Size.bytes);

describe('Size', () => {
  it('reads back in the unit it was made from, and converts between units by 1024', () => {
    fc.assert(
      fc.property(gib, (g) => {
        expect(Size.gib(g).toGib()).toBe(g);
        expect(Size.gib(g).toMib()).toBe(g * 1024);
        expect(Size.gib(g).equals(Size.mib(g * 1024))).toBe(true);
        expect(Size.mib(g).equals(Size.kib(g * 1024))).toBe(true);
        expect(Size.kib(g).toBytes()).toBe(g * 1024);
      }),
    );
  });

  it('adds in GiB exactly as the plain GiB arithmetic it replaces', () => {
    fc.assert(
      fc.property(fc.array(gib, { maxLength: 50 }), (list) => {
        const plain = list.reduce((s, g) => s + g, 0);
        expect(Size.sum(list.map(Size.gib)).toGib()).toBe(plain);
        expect(list.reduce((s, g) => s.plus(Size.gib(g)), Size.ZERO).toGib()).toBe(plain);
      }),
    );
  });

  it('scales exactly as the plain arithmetic does (GPUs × VRAM × utilization)', () => {
    fc.assert(
      fc.property(gib, fc.integer({ min: 1, max: 16 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (vram, gpus, util) => {
        expect(Size.gib(vram).times(gpus).times(util).toGib()).toBe(vram * gpus * util);
        expect(Size.gib(vram).dividedBy(gpus).toGib()).toBe(vram / gpus);
      }),
    );
  });

  it('adds whole bytes commutatively and associatively, and minus undoes plus', () => {
    fc.assert(
      fc.property(size, size, size, (a, b, c) => {
        expect(a.plus(b).equals(b.plus(a))).toBe(true);
        expect(
          a
            .plus(b)
            .plus(c)
            .equals(a.plus(b.plus(c))),
        ).toBe(true);
        expect(a.plus(b).minus(b).equals(a)).toBe(true);
        expect(a.plus(Size.ZERO).equals(a)).toBe(true);
      }),
    );
  });

  it('orders sizes totally, consistently with the comparison methods', () => {
    fc.assert(
      fc.property(size, size, (a, b) => {
        const c = Size.compare(a, b);
        expect(Math.sign(Size.compare(b, a)) + Math.sign(c)).toBe(0);
        expect(a.isLessThan(b)).toBe(c < 0);
        expect(a.isGreaterThan(b)).toBe(c > 0);
        expect(a.isAtMost(b)).toBe(c <= 0);
        expect(a.isAtLeast(b)).toBe(c >= 0);
        expect(a.equals(b)).toBe(c === 0);
        expect(a.minus(b).isPositive()).toBe(c > 0);
      }),
    );
  });

  it('sorts by amount, whatever unit each size was made from', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(gib, fc.constantFrom('gib', 'mib', 'kib') as fc.Arbitrary<'gib' | 'mib' | 'kib'>), { maxLength: 30 }), (list) => {
        const sizes = list.map(([n, unit]) => Size[unit](n));
        const sorted = [...sizes].sort(Size.compare).map((s) => s.toBytes());
        expect(sorted).toEqual(sizes.map((s) => s.toBytes()).sort((x, y) => x - y));
        if (sizes.length > 0) {
          expect(Size.min(sizes[0]!, ...sizes.slice(1)).toBytes()).toBe(sorted[0]);
          expect(Size.max(sizes[0]!, ...sizes.slice(1)).toBytes()).toBe(sorted[sorted.length - 1]);
        }
      }),
    );
  });

  it('rounds to whole units: down never above, up never below, both within one unit and whole', () => {
    fc.assert(
      fc.property(gib, fc.constantFrom(Size.bytes(1), Size.kib(1), Size.mib(1), Size.gib(1)), (g, unit) => {
        const s = Size.gib(g);
        const down = s.roundDown(unit);
        const up = s.roundUp(unit);
        expect(down.isAtMost(s) && up.isAtLeast(s)).toBe(true);
        expect(s.minus(down).isLessThan(unit) && up.minus(s).isLessThan(unit)).toBe(true);
        expect(Number.isInteger(down.ratioTo(unit)) && Number.isInteger(up.ratioTo(unit))).toBe(true);
        // As the plain arithmetic it replaces: Math.floor(gib * 1024) MiB.
        expect(Size.gib(g).roundDown(Size.mib(1)).toMib()).toBe(Math.floor(g * 1024));
      }),
    );
  });

  it('prints in the largest unit it reaches, and the printed amount is within rounding of the size', () => {
    fc.assert(
      fc.property(size, (s) => {
        const m = /^(\d+(?:\.\d{1,2})?) (B|KiB|MiB|GiB|TiB)$/.exec(s.toString());
        expect(m).not.toBeNull();
        const scale = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[m![2] as 'B'];
        expect(Number(m![1]) >= 1 || m![2] === 'B').toBe(true);
        expect(Math.abs(Number(m![1]) * scale - s.toBytes())).toBeLessThanOrEqual(0.005 * scale);
      }),
    );
    expect([Size.mib(512), Size.gib(1.5), Size.bytes(100), Size.ZERO, Size.gib(4096)].map(String)).toEqual(['512 MiB', '1.5 GiB', '100 B', '0 B', '4 TiB']);
  });

  it('serializes to bytes in JSON', () => {
    expect(JSON.stringify({ ram: Size.gib(2) })).toBe('{"ram":2147483648}');
  });

  it.each([NaN, Infinity, -Infinity])('refuses %s, which no sizing formula may produce', (n) => {
    expect(() => Size.gib(n)).toThrow(RangeError);
    expect(() => Size.gib(1).dividedBy(0)).toThrow(/finite number of bytes/);
  });
});
