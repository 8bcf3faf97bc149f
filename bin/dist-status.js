// Whether the compiled CLI in dist/ may run, for bin/pvestack.js. Plain JavaScript (not compiled)
// because it decides whether the compiled code is usable at all.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * Why `<root>/dist` cannot be used, or undefined when it is current. `dist/.build.json` (written by
 * scripts/build.js) lists the compiled sources, their directories and the time the build started;
 * a source edited since, or a file added to or removed from one of those directories (a new verb
 * file, say), makes dist/ stale. About 300 stat calls: a few milliseconds.
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
  for (const rel of [...info.dirs, ...info.sources]) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return `${rel} was removed after dist/ was built`;
    }
    if (mtime > info.startedAt) return `${rel} changed after dist/ was built`;
  }
  return undefined;
}

module.exports = { distProblem };
