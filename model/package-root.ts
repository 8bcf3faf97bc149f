/**
 * Where the toolkit's own non-code files live (package.json, the provider schema, the Ansible
 * playbooks), whether the code runs from the TypeScript sources or compiled into `dist/`:
 * compiled modules sit one directory deeper (`dist/bin/cli.js` for `bin/cli.ts`), and only the
 * package root holds package.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The directory holding the toolkit's package.json. */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cached = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** A path inside the package root, e.g. `packagePath('providers', 'proxmox', 'schema.json')`. */
export function packagePath(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}
