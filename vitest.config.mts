import { defineConfig } from 'vitest/config';

// Real-tool suites (`*.tool.test.ts`: cloud-init, docker, nginx, postgres, sshd, ansible) are
// slow and run in the same `npm test`; they skip with a loud warning only when the tool is
// missing locally, and `.ci/run` installs every tool so they always run in CI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Generous on purpose: on a 2-core machine that other jobs also load, a real-tool test or a CLI
    // subprocess can take several times its quiet duration, and a time-out there says nothing
    // about pvestack. A hung test still fails, after two minutes. The CLI subprocesses start from
    // dist/ (built by `npm ci`), about a tenth of a second each instead of a second under tsx.
    // Tests only ever raise these, never lower them, and their own waits (a child process, a
    // health wait, a server to stop) allow a minute or more for what takes a second when quiet.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { CHECKPOINT_DISABLE: '1' },
  },
});
