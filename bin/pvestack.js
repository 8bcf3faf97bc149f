#!/usr/bin/env node
// Entry point of the `pvestack` command. The toolkit is written in TypeScript and runs through
// tsx's require hook, so there is no build step between editing a spec and synthesizing it.
'use strict';
// `pvestack list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('tsx/cjs');
require('./cli.ts').main(process.argv);
