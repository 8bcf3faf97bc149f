#!/usr/bin/env node
// Compiles the toolkit into dist/ (`npm run build`; `npm ci` runs it through `prepare`), so the
// `pvestack` command starts from JavaScript instead of transpiling TypeScript on every run.
// It emits without type checking (`npm test` type-checks) and records which sources it compiled
// and when it started, so bin/pvestack.js can tell a stale dist/ and fall back to the sources.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const infoFile = path.join(dist, '.build.json');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  console.error('pvestack: typescript is not installed (dev dependency), so dist/ is not built; `pvestack` runs the TypeScript sources instead.');
  process.exit(0);
}

// A source saved while tsc runs must count as newer than the build: take the time before.
const startedAt = Date.now();
fs.rmSync(infoFile, { force: true });
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('pvestack: compiling dist/ failed; `pvestack` runs the TypeScript sources until it builds.');
  process.exit(r.status ?? 1);
}

/** The TypeScript sources directly in `dir` (declaration files aside), sorted. */
function tsFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/** Every .js under dir, as paths relative to dist/. */
function emitted(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) emitted(abs, out);
    else if (e.name.endsWith('.js')) out.push(path.relative(dist, abs));
  }
  return out;
}

const sources = emitted(dist)
  .map((js) => js.replace(/\.js$/, '.ts'))
  .filter((ts) => fs.existsSync(path.join(root, ts)))
  .sort();
// The TypeScript files of each compiled directory, so that a file added there later (a new verb
// file) is seen. Names, not the directory's mtime: that also changes when cdktf.out/ or dist/
// itself appears next to a source.
const dirs = {};
for (const dir of [...new Set(sources.map((s) => path.dirname(s)))].sort()) dirs[dir] = tsFiles(path.join(root, dir));
fs.writeFileSync(infoFile, `${JSON.stringify({ startedAt, dirs, sources: [...sources, 'package.json', 'tsconfig.json', 'tsconfig.build.json'] }, null, 1)}\n`);
console.log(`pvestack: compiled ${sources.length} modules into dist/ in ${Date.now() - startedAt} ms`);
