/**
 * Host-key facts for SSH pinning: SHA256 fingerprints (the `ssh-keygen -lf` form) of the keys a
 * spec lists and of known_hosts entries (plain or hashed), and the known_hosts line that
 * `--trust-on-first-use` records.
 */
import { createHash, createHmac } from 'node:crypto';

/** `SHA256:<base64 without padding>` of a raw key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Fingerprint of `ssh-ed25519 AAAA... [comment]`; a `SHA256:...` string is returned as is. */
export function fingerprintOfPublicKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed.startsWith('SHA256:')) return trimmed;
  const parts = trimmed.split(/\s+/);
  const b64 = parts.length >= 2 ? parts[1]! : parts[0]!;
  return fingerprintOfBlob(Buffer.from(b64, 'base64'));
}

/** The key type named inside a key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyTypeOfBlob(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** How known_hosts names a host: `ip` on port 22, `[ip]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Fingerprints known_hosts pins for a host (plain and `|1|salt|hash` hashed names; markers skipped). */
export function knownHostsFingerprints(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [names, , key] = line.split(/\s+/);
    if (!names || !key) continue;
    if (names.split(',').some((n) => matchesName(n, name))) out.push(fingerprintOfBlob(Buffer.from(key, 'base64')));
  }
  return out;
}

/** The line `--trust-on-first-use` appends to a known_hosts file. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}\n`;
}

function matchesName(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern === name;
}
