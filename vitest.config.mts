import { configDefaults, defineConfig } from 'vitest/config';

// Two projects in one run, one pool of two workers:
// - `real tools` (`*.tool.test.ts`: cloud-init, docker, nginx, postgres, sshd, ansible) are slow
//   and run in the same `npm test`; they skip with a loud warning only when the tool is missing
//   locally, and `.ci/run` installs every tool so they always run in CI. Each file runs in a
//   fresh process, and only this project starts the private Docker engine (global setup). They
//   are sorted first (project name, then longest first), so the long suites start at once.
// - `unit` (every other file) runs with `isolate: false`: a worker process keeps its module
//   cache from one file to the next instead of importing cdktf, the generated bindings and the
//   toolkit again for every file, which halves these files' CPU time (measured on test/constructs
//   and test/checks: 16.8 s → 9.4 s). It is safe because the sources keep no module-level state
//   that a test changes, and the few tests that set environment variables restore them.
export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: { name: 'real tools', include: ['test/**/*.tool.test.ts'], globalSetup: ['test/support/global-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/**/*.tool.test.ts'], isolate: false },
      },
    ],
  },
});
