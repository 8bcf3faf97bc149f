import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './tools';

/**
 * A self-signed certificate for 127.0.0.1 and localhost, written by the real openssl into `dir`
 * (`key.pem`, `cert.pem`), valid for two days.
 */
export function selfSignedCert(dir: string, commonName: string): { keyFile: string; certFile: string; key: string; cert: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { keyFile, certFile, key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
}
