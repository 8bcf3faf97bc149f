// Whether the compiled CLI in dist/ may run, for bin/pvestack.js. Plain JavaScript (not compiled)
// because it decides whether the compiled code is usable at all.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Why `<root>/dist` cannot be used, or undefined when it is current. `dist/.build.json` (written by
 * scripts/build.js) lists the compiled sources, the TypeScript files of each of their directories
 * and the time the build started; a source edited since, or a TypeScript file added to or removed
 * from one of those directories (a new verb file, say), makes dist/ stale. A few hundred stat
 * calls and a readdir per directory: a few milliseconds.
 * @param {string} root the package root
 * @returns {string | undefined}
 */
function distProblem(root) {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(path.join(root, 'dist', '.build.json'), 'utf8'));
  } catch {
    return 'dist/ is missing';
  }
  for (const rel of info.sources) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return `${rel} was removed after dist/ was built`;
    }
    if (mtime > info.startedAt) return `${rel} changed after dist/ was built`;
  }
  // A build from before the file lists were recorded cannot say; its sources were checked above.
  for (const [dir, files] of Array.isArray(info.dirs) ? [] : Object.entries(info.dirs)) {
    let now;
    try {
      now = fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    } catch {
      return `${dir}/ was removed after dist/ was built`;
    }
    const added = now.find((f) => !files.includes(f));
    if (added) return `${path.join(dir, added)} was added after dist/ was built`;
    if (now.length !== files.length) return `a file of ${dir}/ was removed after dist/ was built`;
  }
  return undefined;
}

module.exports = { distProblem };
