#!/usr/bin/env node
// Links node_modules/.bin/pvestack to bin/pvestack.js (run by `prepare` on `npm ci`), so that
// `npx pvestack` and npm scripts find the command in the project's own .bin directory.
//
// Why package.json has no "bin" field: npm ≥ 7 checks the root package's own "bin" before
// node_modules/.bin, and for a match it reads the whole installed tree and links the project
// into its npx cache on every run: about 2 s before the command starts. Without "bin", `npx
// pvestack` takes npm's short path (a file in node_modules/.bin), costing only npm's start-up.
// The package is private and never installed as somebody's dependency, so nothing else reads it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'pvestack');
// Relative, as npm writes its own links, so the checkout can move.
const target = path.relative(binDir, path.join(root, 'bin', 'pvestack.js'));

fs.mkdirSync(binDir, { recursive: true });
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  current = undefined;
}
if (current !== target) {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}
