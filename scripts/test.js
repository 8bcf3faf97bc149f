#!/usr/bin/env node
// `npm test`: the static checks (scripts/static-checks.js: ESLint, Prettier's check, tsc) and
// `vitest run` side by side; arguments go to vitest (`npm test -- test/model`).
//
// Why side by side: the suite's real-tool files spend much of their time waiting (a container
// becoming healthy, an apt download, sshd), which leaves a core idle, and the checks' 30 s of CPU
// fill it; one after the other they added about 15 s of wall time on 2 cores. Vitest's output
// streams as it runs; each check prints its output whole when it ends. The run fails when vitest
// or any check fails, and says which at the end.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const { staticChecks } = require('./static-checks');

const root = path.resolve(__dirname, '..');

function vitest(args) {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => {
      process.stderr.write(`cannot start vitest: ${String(err)}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

Promise.all([staticChecks(), vitest(process.argv.slice(2))]).then(([failed, code]) => {
  if (code !== 0) failed.push(`vitest (exit ${code})`);
  process.stdout.write(failed.length > 0 ? `\nnpm test failed: ${failed.join(', ')}\n` : '\nnpm test: static checks and vitest passed\n');
  process.exitCode = failed.length > 0 ? 1 : 0;
});
