#!/usr/bin/env node
// The static half of `npm test`: ESLint, Prettier's check and the type check, started together
// (`scripts/test.js` runs them beside vitest; `node scripts/static-checks.js` runs them alone).
//
// Why together: each is one single-threaded process of 8-11 s of CPU on this project, so one
// after another they cost about 30 s of wall time on a 2-core machine where two at a time cost
// about 15. Each one's output is printed whole when it ends (never interleaved), and the run
// fails when any of them fails, after all three have ended, so one run reports every problem.
//
// Each also keeps a cache in the gitignored `.cache/` of the checkout (ESLint's and Prettier's
// keyed by file content, tsc's .tsbuildinfo), so a second run checks only what changed. A fresh
// clone (CI after `npm ci`) has no cache and checks everything; the caches never change a verdict.
// The `lint`, `format:check` and `typecheck` scripts run the same commands one at a time.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** The commands, as `npm run lint`, `npm run format:check` and `npm run typecheck` give them. */
const CHECKS = [
  { name: 'eslint', cmd: bin('eslint'), args: ['--cache', '--cache-strategy', 'content', '--cache-location', '.cache/eslint', '.'] },
  { name: 'prettier --check', cmd: bin('prettier'), args: ['--check', '--cache', '--cache-strategy', 'content', '--cache-location', '.cache/prettier', '.'] },
  { name: 'tsc --noEmit', cmd: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', '.cache/tsc.tsbuildinfo'] },
];

function runCheck({ name, cmd, args }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const done = (code, extra) => {
      const result = { name, code, output: `${output}${extra}`, ms: Date.now() - started };
      process.stdout.write(`\n> ${name}: ${result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`}, ${(result.ms / 1000).toFixed(1)} s\n${result.output}`);
      resolve(result);
    };
    child.on('error', (err) => done(1, `${String(err)}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `killed by ${signal}\n` : ''));
  });
}

/** Runs every check at once; resolves with the names of those that failed. */
async function staticChecks() {
  const results = await Promise.all(CHECKS.map(runCheck));
  return results.filter((r) => r.code !== 0).map((r) => r.name);
}

module.exports = { staticChecks };

if (require.main === module) {
  staticChecks().then((failed) => {
    if (failed.length > 0) {
      process.stderr.write(`\nstatic checks failed: ${failed.join(', ')}\n`);
      process.exitCode = 1;
    }
  });
}
