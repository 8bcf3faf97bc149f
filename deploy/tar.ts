/**
 * A minimal ustar writer, so a release ships in one SSH round trip (`tar -x` on the host reads it
 * from stdin) instead of one per file. Pure: same files in, same bytes out (mtime is fixed, owner
 * is root/0 and ignored by `--no-same-owner`). Parent directories get explicit 0755 entries so a
 * restrictive umask on the host cannot make bind-mounted config directories unreadable.
 */

export interface TarEntry {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

const BLOCK = 512;

/** The archive of `files` (paths relative, `/`-separated). */
export function tarArchive(files: readonly TarEntry[]): Buffer {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const chunks: Buffer[] = [];
  for (const d of [...dirs].sort()) chunks.push(header(`${d}/`, 0o755, 0, '5'));
  for (const f of files) {
    const body = Buffer.from(f.content, 'utf8');
    chunks.push(header(f.path, f.mode, body.length, '0'), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
}

function header(name: string, mode: number, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long names at a `/` into prefix (155) and name (100).
    const cut = name.lastIndexOf('/', name.length - 2 > 155 ? 155 : name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for a release archive: ${name}`);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.write('root', 265);
  h.write('root', 297);
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\u0000`;
}
