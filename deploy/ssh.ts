/**
 * The only module that imports the SSH library. It connects with host-key pinning (nothing is sent
 * before the host proved it holds a pinned key), runs argv from `commands.ts`, and turns transport
 * and exit-status failures into typed errors with secret values masked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { ConnectError, ConnectFailure, HostKeyMismatchError, RemoteCommandError } from '../model';
import { Argv, toShell } from './commands';
import { fingerprintOfBlob, fingerprintOfPublicKey, knownHostsFingerprints, knownHostsLine } from './host-keys';
import { Masker } from './secrets';

/** How to reach one host and which host key to accept. */
export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Host keys the spec pins (`ssh-ed25519 AAAA...` or `SHA256:...`). */
  readonly hostKeys: readonly string[];
  /** A known_hosts file consulted as well (the `--trust-on-first-use` file, `~/.ssh/known_hosts`). */
  readonly knownHostsPath?: string;
  /** Accept an unknown host's key and append it to this known_hosts file. */
  readonly trustOnFirstUseFile?: string;
  /** Private key file; without it the SSH agent (`SSH_AUTH_SOCK`) is used. */
  readonly identity?: string;
  /** Variables exported before every remote command (e.g. `DOCKER_HOST`). */
  readonly remoteEnv?: Readonly<Record<string, string>>;
  /** How long the TCP connect and SSH handshake may take. @default 15000 */
  readonly connectTimeoutMs?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

export interface RunOptions {
  /** Sent on stdin (file contents, secret values: never on the command line). */
  readonly stdin?: string | Buffer;
  /** Exit codes that are not failures. @default [0] */
  readonly okCodes?: readonly number[];
}

/** An open, verified connection to one host. */
export interface RemoteHost {
  readonly name: string;
  /** Runs an argv; throws {@link RemoteCommandError} on a failing exit code or a lost connection. */
  run(argv: Argv, opts?: RunOptions): Promise<RunResult>;
  isConnected(): boolean;
  close(): void;
}

/** Fingerprints a host may present: the spec's keys plus the known_hosts file's entries. */
export function expectedFingerprints(ep: SshEndpoint): string[] {
  const fromFile =
    ep.knownHostsPath && fs.existsSync(ep.knownHostsPath) ? knownHostsFingerprints(fs.readFileSync(ep.knownHostsPath, 'utf8'), ep.host, ep.port) : [];
  return [...new Set([...ep.hostKeys.map(fingerprintOfPublicKey), ...fromFile])];
}

/**
 * Connects and verifies the host key before authenticating; a wrong or unknown key ends the
 * handshake with {@link HostKeyMismatchError} and nothing is sent.
 */
export async function connect(ep: SshEndpoint, masker: Masker = new Masker([])): Promise<RemoteHost> {
  const name = `${ep.user}@${ep.host}:${ep.port}`;
  const expected = expectedFingerprints(ep);
  let refused: HostKeyMismatchError | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: ep.host,
      port: ep.port,
      username: ep.user,
      ...(ep.identity ? { privateKeyPath: ep.identity } : { agent: process.env.SSH_AUTH_SOCK }),
      readyTimeout: ep.connectTimeoutMs ?? 15_000,
      keepaliveInterval: 2_000,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer) => {
        const presented = fingerprintOfBlob(blob);
        if (expected.includes(presented)) return true;
        if (expected.length === 0 && ep.trustOnFirstUseFile) {
          fs.mkdirSync(path.dirname(ep.trustOnFirstUseFile), { recursive: true });
          fs.appendFileSync(ep.trustOnFirstUseFile, knownHostsLine(ep.host, ep.port, blob));
          return true;
        }
        refused = new HostKeyMismatchError(name, presented, expected);
        return false;
      },
    });
  } catch (err) {
    ssh.dispose();
    if (refused) throw refused;
    throw new ConnectError(name, connectFailure(err as NodeJS.ErrnoException & { level?: string }), (err as Error).message);
  }
  // A reset socket after the handshake must not crash the process: the running command resolves
  // with no exit code instead, which `run` turns into a RemoteCommandError.
  ssh.connection?.on('error', () => undefined);
  return new NodeSshHost(name, ssh, ep.remoteEnv ?? {}, masker);
}

/**
 * Names why a connection failed: ssh2 reports socket errors with their errno code, a handshake
 * that never completes as `Timed out while waiting for handshake`, and a rejected key with
 * `level: 'client-authentication'`.
 */
export function connectFailure(err: { code?: string; level?: string; message?: string }): ConnectFailure {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code === 'ETIMEDOUT' || /timed out/i.test(err.message ?? '')) return 'timed out';
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND') return 'unreachable';
  if (err.level === 'client-authentication') return 'authentication failed';
  return 'failed';
}

class NodeSshHost implements RemoteHost {
  private readonly prefix: string;
  constructor(
    readonly name: string,
    private readonly ssh: NodeSSH,
    env: Readonly<Record<string, string>>,
    private readonly masker: Masker,
  ) {
    this.prefix = Object.entries(env)
      .map(([k, v]) => `export ${k}=${toShell([v])}; `)
      .join('');
  }

  async run(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
    let result: RunResult;
    try {
      const stdin = Buffer.isBuffer(opts.stdin) ? Readable.from([opts.stdin]) : opts.stdin;
      const r = await this.ssh.execCommand(this.prefix + toShell(argv), { ...(stdin !== undefined ? { stdin } : {}), noTrim: true });
      result = { stdout: r.stdout, stderr: r.stderr, code: r.code };
    } catch (err) {
      result = { stdout: '', stderr: (err as Error).message, code: null };
    }
    if (result.code === null || !(opts.okCodes ?? [0]).includes(result.code)) {
      throw new RemoteCommandError(
        this.name,
        argv.map((a) => this.masker.mask(a)),
        result.code,
        this.masker.mask(result.stderr || result.stdout),
      );
    }
    return result;
  }

  isConnected(): boolean {
    return this.ssh.isConnected();
  }

  close(): void {
    this.ssh.dispose();
  }
}
