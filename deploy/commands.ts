/**
 * Pure builders for every command the deployer runs on a host (Kamal-style: configuration decides
 * what, these say how, `ssh.ts` executes). Each returns an argv array; where a step needs a shell
 * (pipes, `||`, redirection) it is `['sh', '-c', script]`, so `--dry-run` can print exactly what
 * would run and unit tests can assert it. Nothing here reads the environment, the clock or the disk.
 *
 * Layout on a host (root defaults to /opt/pvestack):
 *   <root>/.lock/info                      deploy lock (a directory: `mkdir` is atomic)
 *   <root>/<stack>/releases/<id>/          one directory per release, never modified after sealing
 *   <root>/<stack>/releases/<id>.partial/  an upload in progress (removed by the next deploy)
 *   <root>/<stack>/current -> releases/<id> the running release (switched atomically)
 */
import * as path from 'node:path';

export type Argv = readonly string[];

/** Which compose CLI a host has: the v2 plugin (`docker compose`) or Debian's v1 (`docker-compose`). */
export type ComposeFlavor = 'v1' | 'v2';

/** Exit code `acquireLock` uses when the lock is already held (EX_TEMPFAIL). */
export const LOCK_HELD_EXIT = 75;

/** The manifest each release carries: content hash and per-service fingerprints. */
export const MANIFEST_FILE = '.pvestack-release.json';

/** Default deploy root on a host. */
export const DEFAULT_DEPLOY_ROOT = '/opt/pvestack';

/** Who holds a lock; serialized into `<root>/.lock/info`. */
export interface LockInfo {
  readonly holder: string;
  readonly since: string;
  readonly commit?: string;
  readonly env?: string;
}

/** Quotes one word for a POSIX shell; plain words stay readable in `--dry-run` output. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line. */
export function toShell(argv: Argv): string {
  return argv.map(shq).join(' ');
}

const sh = (script: string): Argv => ['sh', '-c', script];

export const lockDir = (root: string): string => path.posix.join(root, '.lock');
export const stackDir = (root: string, stack: string): string => path.posix.join(root, stack);
export const releasesDir = (root: string, stack: string): string => path.posix.join(stackDir(root, stack), 'releases');
export const releaseDir = (root: string, stack: string, id: string): string => path.posix.join(releasesDir(root, stack), id);
export const partialDir = (root: string, stack: string, id: string): string => `${releaseDir(root, stack, id)}.partial`;
export const currentLink = (root: string, stack: string): string => path.posix.join(stackDir(root, stack), 'current');

/** Prints `v2`, `v1` or `none`: v2 is preferred where both exist. */
export function detectCompose(): Argv {
  return sh('if docker compose version >/dev/null 2>&1; then echo v2; elif docker-compose version >/dev/null 2>&1; then echo v1; else echo none; fi');
}

/**
 * Takes the host's deploy lock: `mkdir` either creates the directory or fails, so two deploys can
 * never both win. On failure it prints the holder's info and exits {@link LOCK_HELD_EXIT}.
 */
export function acquireLock(root: string, info: LockInfo): Argv {
  const dir = lockDir(root);
  return sh(
    `mkdir -p ${shq(root)} && if mkdir ${shq(dir)} 2>/dev/null; then printf '%s\\n' ${shq(JSON.stringify(info))} > ${shq(`${dir}/info`)}; ` +
      `else cat ${shq(`${dir}/info`)} 2>/dev/null; exit ${LOCK_HELD_EXIT}; fi`,
  );
}

/** Prints the lock's info (`{}` if it has none yet), or nothing when the host is not locked. */
export function lockStatus(root: string): Argv {
  const dir = lockDir(root);
  return sh(`if [ -d ${shq(dir)} ]; then cat ${shq(`${dir}/info`)} 2>/dev/null || echo '{}'; fi`);
}

/** Removes the deploy lock (whoever holds it). */
export function releaseLock(root: string): Argv {
  return ['rm', '-rf', '--', lockDir(root)];
}

/**
 * Prints the `current` target on the first line and the running release's manifest after it (one
 * round trip: most deploys stop here because nothing changed). Nothing before the first deploy.
 */
export function readCurrentRelease(root: string, stack: string): Argv {
  const link = currentLink(root, stack);
  return sh(`if t=$(readlink ${shq(link)}); then echo "$t"; cat ${shq(`${link}/${MANIFEST_FILE}`)} 2>/dev/null; fi; true`);
}

/** Removes uploads a dead deploy left behind and creates the new release's upload directory. */
export function prepareUpload(root: string, stack: string, id: string): Argv {
  const releases = releasesDir(root, stack);
  return sh(`mkdir -p ${shq(releases)} && rm -rf ${shq(releases)}/*.partial && mkdir ${shq(partialDir(root, stack, id))}`);
}

/**
 * Unpacks the release archive from stdin into the upload directory, modes as archived (secret env
 * files 0600); `umask 077` keeps every file private until tar sets its final mode.
 */
export function uploadRelease(root: string, stack: string, id: string): Argv {
  return sh(`umask 077 && tar -x -p --no-same-owner -C ${shq(partialDir(root, stack, id))}`);
}

/** Marks an upload complete: only a sealed release can become `current`. */
export function sealRelease(root: string, stack: string, id: string): Argv {
  return ['mv', '-T', partialDir(root, stack, id), releaseDir(root, stack, id)];
}

/**
 * Points `current` at a release atomically: a new symlink under a temporary name, then `mv -T`
 * (rename(2)) over the old one, so `current` is never missing or half-written.
 */
export function switchCurrent(root: string, stack: string, id: string): Argv {
  const tmp = path.posix.join(stackDir(root, stack), '.current.tmp');
  return sh(`ln -sfn ${shq(`releases/${id}`)} ${shq(tmp)} && mv -T ${shq(tmp)} ${shq(currentLink(root, stack))}`);
}

/**
 * The compose CLI for a stack, always run through the `current` link: bind mounts resolve to
 * `<stack>/current/...` so unchanged containers keep the same definition across releases.
 */
export function compose(flavor: ComposeFlavor, root: string, stack: string, project: string, composeFile = 'compose.yaml'): Argv {
  const dir = currentLink(root, stack);
  const cli = flavor === 'v2' ? ['docker', 'compose'] : ['docker-compose'];
  return [...cli, '--project-name', project, '--project-directory', dir, '--file', path.posix.join(dir, composeFile)];
}

export interface ComposeUpOptions {
  /** Only these services (with `--no-deps`): rolls one service at a time. @default all */
  readonly services?: readonly string[];
  /** Recreate even when compose sees no change (config files behind bind mounts changed). */
  readonly forceRecreate?: boolean;
}

/** `up -d`: never `down -v`; orphans (services removed from the file) are removed on full runs. */
export function composeUp(base: Argv, opts: ComposeUpOptions = {}): Argv {
  const one = opts.services && opts.services.length > 0;
  return [...base, 'up', '-d', ...(one ? ['--no-deps'] : ['--remove-orphans']), ...(opts.forceRecreate ? ['--force-recreate'] : []), ...(one ? opts.services! : [])];
}

/** Creates the external networks a stack joins (shared by a guest's stacks) when missing. */
export function ensureNetworks(names: readonly string[]): Argv {
  return sh(names.map((n) => `{ docker network inspect ${shq(n)} >/dev/null 2>&1 || docker network create ${shq(n)} >/dev/null; }`).join(' && '));
}

/** `ps` of the stack, for reports. */
export function composePs(base: Argv): Argv {
  return [...base, 'ps'];
}

/** The last `lines` log lines of one service. */
export function composeLogs(base: Argv, service: string, lines: number): Argv {
  return [...base, 'logs', '--no-color', '--tail', String(lines), service];
}

/**
 * One line per container of a compose service: `<state> <exit code> <health>` (health `none` without a
 * healthcheck). Reads compose's labels, so it works for v1 and v2 alike.
 */
export function serviceHealth(project: string, service: string): Argv {
  return sh(
    `docker ps -aq --filter ${shq(`label=com.docker.compose.project=${project}`)} --filter ${shq(`label=com.docker.compose.service=${service}`)} ` +
      `| xargs -r docker inspect --format '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'`,
  );
}

/**
 * Keeps the newest `keep` releases and removes older ones, never the one `current` points at and
 * never an upload in progress. Release ids sort by time.
 */
export function pruneReleases(root: string, stack: string, keep: number): Argv {
  const releases = releasesDir(root, stack);
  return sh(
    `cd ${shq(releases)} && cur=$(basename "$(readlink ../current)" 2>/dev/null); ` +
      `ls -1 | grep -v '\\.partial$' | sort -r | tail -n +${keep + 1} | while read -r r; do [ "$r" = "$cur" ] || rm -rf -- "$r"; done`,
  );
}
