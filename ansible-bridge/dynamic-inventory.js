#!/usr/bin/env node
// Dynamic Ansible inventory of a pvestack environment:
//   PVESTACK_ENV=production ansible-inventory -i ansible-bridge/dynamic-inventory.js --list
// PVESTACK_ENV names a registered environment or a spec file (relative to the current directory).
// Like bin/pvestack.js it runs the TypeScript sources through tsx's require hook; every path is
// resolved from this file's own location, so Ansible may call it from any directory.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require(require.resolve('tsx/cjs', { paths: [root] }));
const { loadEnvironment } = require(path.join(root, 'stacks', 'registry.ts'));
const { runDynamicInventory, ENV_VARIABLE } = require(path.join(__dirname, 'dynamic-inventory-cli.ts'));

const result = runDynamicInventory(process.argv.slice(2), process.env[ENV_VARIABLE], loadEnvironment);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
