/**
 * Starts one Docker engine for the whole test run when this machine can run it (root + dockerd),
 * and hands its socket to tests through `inject('dockerHost')`. Tests that need it skip loudly
 * when it is absent.
 */
import type { TestProject } from 'vitest/node';
import { canRunDockerd, startDockerd, TestDockerd } from './dockerd';

let dockerd: TestDockerd | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env.PVESTACK_TEST_NO_DOCKER || !canRunDockerd()) {
    project.provide('dockerHost', '');
    return;
  }
  dockerd = await startDockerd();
  project.provide('dockerHost', dockerd.dockerHost);
}

export async function teardown(): Promise<void> {
  await dockerd?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}
