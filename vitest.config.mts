import { defineConfig } from 'vitest/config';

// Real-tool suites (`*.tool.test.ts`: cloud-init, docker, nginx, postgres, sshd, ansible) are
// slow and run in the same `npm test`; they skip with a loud warning only when the tool is
// missing locally, and `.ci/run` installs every tool so they always run in CI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { CHECKPOINT_DISABLE: '1' },
  },
});
