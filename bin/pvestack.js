#!/usr/bin/env node
// Entry point of the `pvestack` command. It runs the compiled JavaScript in dist/ (built by
// `npm run build`, which `npm ci` runs through `prepare`), so starting costs no TypeScript
// transpilation. When dist/ is missing or older than a source it was compiled from (someone is
// editing the toolkit), it runs the TypeScript sources through tsx instead: slower to start,
// never stale. PVESTACK_FROM_SOURCES=1 forces the sources.
'use strict';
const path = require('node:path');

// `pvestack list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const ROOT = path.join(__dirname, '..');
const forced = process.env.PVESTACK_FROM_SOURCES === '1';
const problem = forced ? undefined : require('./dist-status.js').distProblem(ROOT);
if (!forced && problem === undefined) {
  require(path.join(ROOT, 'dist', 'bin', 'cli.js')).main(process.argv);
} else {
  // Only a person at a terminal needs to hear why start-up is slower; scripts and tests do not.
  if (problem && process.stderr.isTTY)
    process.stderr.write(`pvestack: ${problem}; running the TypeScript sources (slower start). \`npm run build\` compiles them.\n`);
  require('tsx/cjs');
  require('./cli.ts').main(process.argv);
}
