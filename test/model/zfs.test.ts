import { describe, expect, it } from 'vitest';
import type { ZfsLayout } from '../../model';
import { zfsDiskCountProblem, zfsIsRedundant, zfsUsableCapacity } from '../../model';

describe('zfsUsableCapacity', () => {
  it.each<[ZfsLayout, number, number, number]>([
    ['stripe', 4, 4, 16],
    ['mirror', 4, 4, 4],
    ['raid10', 4, 4, 8],
    ['raidz1', 4, 4, 12],
    ['raidz2', 4, 4, 8],
    ['raidz3', 5, 4, 8],
    ['raidz3', 8, 4, 20],
    ['raid10', 6, 4, 12],
    ['stripe', 1, 4, 4],
    ['mirror', 2, 5120, 5120],
  ])('%s of %i x %i TB holds %i TB', (layout, disks, size, usable) => {
    expect(zfsUsableCapacity(layout, disks, size)).toBe(usable);
  });
});

describe('zfsDiskCountProblem', () => {
  it.each<[ZfsLayout, number, string | undefined]>([
    ['stripe', 1, undefined],
    ['mirror', 1, 'mirror needs at least 2 disks'],
    ['raid10', 2, 'raid10 needs at least 4 disks'],
    ['raid10', 5, 'striped 2-way mirrors need an even number of disks'],
    ['raidz1', 2, 'raidz1 needs at least 3 disks'],
    ['raidz2', 3, 'raidz2 needs at least 4 disks'],
    ['raidz3', 4, 'raidz3 needs at least 5 disks'],
    ['raidz3', 5, undefined],
  ])('%s with %i disks -> %s', (layout, disks, problem) => {
    expect(zfsDiskCountProblem(layout, disks)).toBe(problem);
  });
});

describe('zfsIsRedundant', () => {
  it.each<[ZfsLayout, number, boolean]>([
    ['stripe', 4, false],
    ['mirror', 2, true],
    ['raid10', 4, true],
    ['raidz1', 3, true],
  ])('%s with %i disks -> %s', (layout, disks, redundant) => {
    expect(zfsIsRedundant(layout, disks)).toBe(redundant);
  });
});
