/** ZFS layout arithmetic: what a pool of N equal disks can hold and how many failures it survives. */
import type { ZfsLayout } from './spec';

interface LayoutFacts {
  readonly minDisks: number;
  /** Disks that hold data (the rest is parity or mirror copies). */
  readonly dataDisks: (n: number) => number;
  /** Disk failures the pool survives in the worst case. */
  readonly survives: (n: number) => number;
  /** Extra constraint on the disk count, with its explanation. */
  readonly diskCountRule?: { readonly test: (n: number) => boolean; readonly why: string };
}

export const ZFS_LAYOUTS: Readonly<Record<ZfsLayout, LayoutFacts>> = {
  stripe: { minDisks: 1, dataDisks: (n) => n, survives: () => 0 },
  mirror: { minDisks: 2, dataDisks: () => 1, survives: (n) => n - 1 },
  raid10: {
    minDisks: 4,
    dataDisks: (n) => n / 2,
    survives: () => 1,
    diskCountRule: { test: (n) => n % 2 === 0, why: 'striped 2-way mirrors need an even number of disks' },
  },
  raidz1: { minDisks: 3, dataDisks: (n) => n - 1, survives: () => 1 },
  raidz2: { minDisks: 4, dataDisks: (n) => n - 2, survives: () => 2 },
  raidz3: { minDisks: 5, dataDisks: (n) => n - 3, survives: () => 3 },
};

/**
 * Usable capacity in the unit of `diskSize`, before ZFS metadata, slop space and RAIDZ padding
 * (which can cost a further few percent with zvols on RAIDZ; see the ZFS chapter of the PVE docs).
 */
export function zfsUsableCapacity(layout: ZfsLayout, diskCount: number, diskSize: number): number {
  return ZFS_LAYOUTS[layout].dataDisks(diskCount) * diskSize;
}

/** Whether the pool keeps data after one disk failure. */
export function zfsIsRedundant(layout: ZfsLayout, diskCount: number): boolean {
  return ZFS_LAYOUTS[layout].survives(diskCount) > 0;
}

/** The reason a disk count does not fit a layout, or undefined when it fits. */
export function zfsDiskCountProblem(layout: ZfsLayout, diskCount: number): string | undefined {
  const facts = ZFS_LAYOUTS[layout];
  if (diskCount < facts.minDisks) return `${layout} needs at least ${facts.minDisks} disks`;
  if (facts.diskCountRule && !facts.diskCountRule.test(diskCount)) return facts.diskCountRule.why;
  return undefined;
}
