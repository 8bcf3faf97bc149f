import { describe, expect, it } from 'vitest';
import type { PostgresStackSpec } from '../../../model';
import { postgresShmSizeMib, postgresStack, postgresTuneInput } from '../../../templates/stacks/postgres';
import { testEnvironment } from '../fixtures';

const stack: PostgresStackSpec = { kind: 'postgres', database: 'app', passwordSecret: 'db-password' };

function render(memoryGib: number, spec: PostgresStackSpec = stack) {
  const env = testEnvironment([{ name: 'db', role: 'db', memoryGib, stacks: [spec] }]);
  const ctx = { env, guest: env.guests[0]!, gpus: [], options: {} };
  return { ctx, parts: postgresStack(ctx, spec) };
}

describe('postgres /dev/shm', () => {
  it.each([
    // maintenance_work_mem = RAM/16 capped at 2 GB, plus 1 GiB; at most half the RAM.
    { memoryGib: 64, shm: 2048 + 1024 },
    { memoryGib: 16, shm: 1024 + 1024 },
    { memoryGib: 2, shm: 1024 },
  ])("$memoryGib GiB RAM → shm_size $shm MiB (never Docker's 64 MiB)", ({ memoryGib, shm }) => {
    const { ctx, parts } = render(memoryGib);
    expect(postgresShmSizeMib(postgresTuneInput(ctx, stack))).toBe(shm);
    expect(parts.services.find((s) => s.name === 'postgres')!.shmSizeMib).toBe(shm);
  });
});
