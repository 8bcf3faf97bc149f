/**
 * An amount of memory or storage as a value type, so that GiB of RAM, MiB of a container limit
 * and bytes of a checkpoint cannot be added or compared by mistake: a size is made from an
 * explicit unit (`Size.gib(32)`, `Size.mib(512)`, `Size.bytes(n)`) and read back in one
 * (`toGib()`). Units are binary (1 KiB = 1024 B), as Proxmox, Docker (`m`), Redis (`mb`) and
 * PostgreSQL (`kB`, `MB`) all mean them.
 *
 * The value is held in bytes as a double. Scaling by a power of two is exact in floating point, so
 * `Size.gib(a).plus(Size.gib(b)).toGib()` is bit for bit `a + b`: arithmetic moved onto sizes
 * gives the numbers the plain GiB arithmetic gave, and outputs stay byte-identical.
 */

const KIB = 1024;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

/** Units `toString` chooses from, largest first. */
const UNITS: readonly (readonly [string, number])[] = [
  ['TiB', TIB],
  ['GiB', GIB],
  ['MiB', MIB],
  ['KiB', KIB],
];

export class Size {
  /** No memory, no disk: the start of a sum. */
  static readonly ZERO = new Size(0);

  private constructor(private readonly value: number) {}

  /** `n` bytes. Throws a RangeError for NaN or an infinity, which no sizing formula may produce. */
  static bytes(n: number): Size {
    if (!Number.isFinite(n)) throw new RangeError(`a size must be a finite number of bytes, got ${n}`);
    return new Size(n);
  }

  /** `n` KiB (1024 bytes each). */
  static kib(n: number): Size {
    return Size.bytes(n * KIB);
  }

  /** `n` MiB. */
  static mib(n: number): Size {
    return Size.bytes(n * MIB);
  }

  /** `n` GiB. */
  static gib(n: number): Size {
    return Size.bytes(n * GIB);
  }

  /** The total of `sizes`, added left to right (ZERO for none). */
  static sum(sizes: Iterable<Size>): Size {
    let total = 0;
    for (const s of sizes) total += s.value;
    return new Size(total);
  }

  /** Order for `Array.prototype.sort`: smaller first. */
  static compare(a: Size, b: Size): number {
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }

  /** The smallest of one or more sizes. */
  static min(first: Size, ...rest: readonly Size[]): Size {
    return rest.reduce((m, s) => (s.value < m.value ? s : m), first);
  }

  /** The largest of one or more sizes. */
  static max(first: Size, ...rest: readonly Size[]): Size {
    return rest.reduce((m, s) => (s.value > m.value ? s : m), first);
  }

  toBytes(): number {
    return this.value;
  }

  toKib(): number {
    return this.value / KIB;
  }

  toMib(): number {
    return this.value / MIB;
  }

  toGib(): number {
    return this.value / GIB;
  }

  plus(other: Size): Size {
    return new Size(this.value + other.value);
  }

  /** The difference; negative when `other` is larger (a shortfall). */
  minus(other: Size): Size {
    return new Size(this.value - other.value);
  }

  /** Scaled by a plain factor (a count of GPUs, a utilization, a share). */
  times(factor: number): Size {
    return Size.bytes(this.value * factor);
  }

  /** Divided by a plain divisor (`ram.dividedBy(4)` for a quarter of it). */
  dividedBy(divisor: number): Size {
    return Size.bytes(this.value / divisor);
  }

  /** Rounded down to a whole number of `unit`s (PGTune floors its sizes to whole kB). */
  roundDown(unit: Size): Size {
    return new Size(Math.floor(this.value / unit.value) * unit.value);
  }

  /** Rounded up to a whole number of `unit`s (Docker's `m` and Proxmox's disk sizes are whole units). */
  roundUp(unit: Size): Size {
    return new Size(Math.ceil(this.value / unit.value) * unit.value);
  }

  /** How many times `other` fits in this size (a ratio of two sizes is a plain number). */
  ratioTo(other: Size): number {
    return this.value / other.value;
  }

  equals(other: Size): boolean {
    return this.value === other.value;
  }

  isLessThan(other: Size): boolean {
    return this.value < other.value;
  }

  isAtMost(other: Size): boolean {
    return this.value <= other.value;
  }

  isGreaterThan(other: Size): boolean {
    return this.value > other.value;
  }

  isAtLeast(other: Size): boolean {
    return this.value >= other.value;
  }

  isPositive(): boolean {
    return this.value > 0;
  }

  /** In the largest binary unit it reaches, up to two decimals: `512 MiB`, `1.5 GiB`, `100 B`. */
  toString(): string {
    const magnitude = Math.abs(this.value);
    const [unit, scale] = UNITS.find(([, s]) => magnitude >= s) ?? ['B', 1];
    return `${Number((this.value / scale).toFixed(2))} ${unit}`;
  }

  /** Sizes in JSON are bytes, the one unit that needs no name. */
  toJSON(): number {
    return this.value;
  }
}
