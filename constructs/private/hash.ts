import { createHash } from 'node:crypto';

/** A short, stable content hash (hex sha256 prefix) for names that must change when content does. */
export function contentHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
