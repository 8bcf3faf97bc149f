/**
 * Pure builders for every command the deployer runs on a host (Kamal-style: the plan decides what,
 * these say how, `ssh.ts` executes). Each phase of a deploy is ONE remote script (`['sh', '-c',
 * script]`), so a host costs a handful of round trips and `--dry-run` prints exactly what runs.
 * Nothing here reads the environment, the clock or the disk; values that differ per run (the lock's
 * holder) travel on stdin, times are taken on the host (`date`), so the text of every command is a
 * function of the plan alone.
 *
 * Layout on a host (root defaults to /opt/pvestack):
 *   <root>/.lock/info, heartbeat           deploy lock (a directory: `mkdir` is atomic)
 *   <root>/.state/key                      random per-host key for release ids and fingerprints (0600)
 *   <root>/.state/journal                  what a running deploy is doing, one JSON line per step (0600)
 *   <root>/<stack>/releases/<id>/          one directory per release, never modified after sealing
 *   <root>/<stack>/releases/<id>.partial/  an upload in progress (removed by the next deploy)
 *   <root>/<stack>/current -> releases/<id> the running release (switched atomically)
 */
import * as path from 'node:path';

export type Argv = readonly string[];

/** Which compose CLI a host has: the v2 plugin (`docker compose`) or Debian's v1 (`docker-compose`). */
export type ComposeFlavor = 'v1' | 'v2';

/** Exit code of the lock script when the lock is already held (EX_TEMPFAIL). */
export const LOCK_HELD_EXIT = 75;
/** Exit code of the lock script when the lock could not be written (EX_IOERR): full disk, read-only root. */
export const LOCK_WRITE_EXIT = 74;
/** How many times (0.1 s apart) a deploy looks again at a held lock that has no info yet. */
export const LOCK_INFO_WAIT_TRIES = 20;
/** Exit code of `releaseLock` when there was no lock to release. */
export const NO_LOCK_EXIT = 3;
/** Exit code of a health wait when a service crashed or reported unhealthy. */
export const HEALTH_FAILED_EXIT = 90;
/** Exit code of a health wait when a service was not healthy within its budget. */
export const HEALTH_TIMEOUT_EXIT = 91;

/** The manifest each release carries (mode 0600). */
export const MANIFEST_FILE = '.pvestack-release.json';
/**
 * Compose override the deployer adds to each release: one label per service with its fingerprint.
 * Labels are part of the service configuration compose hashes into `com.docker.compose.config-hash`
 * (v1 and v2), so `up` recreates exactly the services whose fingerprint changed — including a
 * changed bind-mounted file or secret, which compose alone cannot see (proven by
 * test/deploy/converge.tool.test.ts and happy-path.tool.test.ts against docker-compose 1.29).
 */
export const LABELS_FILE = '.pvestack-labels.json';
/** The container label holding a service's fingerprint. */
export const CONFIG_LABEL = 'io.pvestack.config';

/** Default deploy root on a host. */
export const DEFAULT_DEPLOY_ROOT = '/opt/pvestack';

/** Quotes one word for a POSIX shell; plain words stay readable in `--dry-run` output. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line. */
export function toShell(argv: Argv): string {
  return argv.map(shq).join(' ');
}

const sh = (...lines: string[]): Argv => ['sh', '-c', lines.filter(Boolean).join('\n')];

export const lockDir = (root: string): string => path.posix.join(root, '.lock');
export const stateDir = (root: string): string => path.posix.join(root, '.state');
export const journalFile = (root: string): string => path.posix.join(stateDir(root), 'journal');
export const stackDir = (root: string, stack: string): string => path.posix.join(root, stack);
export const releasesDir = (root: string, stack: string): string => path.posix.join(stackDir(root, stack), 'releases');
export const releaseDir = (root: string, stack: string, id: string): string => path.posix.join(releasesDir(root, stack), id);
export const partialDir = (root: string, stack: string, id: string): string => `${releaseDir(root, stack, id)}.partial`;
export const currentLink = (root: string, stack: string): string => path.posix.join(stackDir(root, stack), 'current');

/** A stack as the host-side scripts address it. */
export interface StackRef {
  readonly stack: string;
  readonly project: string;
  readonly composeFile: string;
}

/**
 * Appends one journal line: the step about to run, written before it runs (write-ahead), with the
 * host's clock. `fields` never hold secrets: stack, release ids, step names.
 */
export function journalLine(root: string, fields: Readonly<Record<string, string>>): string {
  const prefix = JSON.stringify(fields).slice(0, -1);
  return `printf '%s,"at":%s}\\n' ${shq(prefix)} "$(date +%s)" >> ${shq(journalFile(root))}`;
}

/**
 * Reads what a deploy needs to know about a host, in one round trip; changes nothing except that it
 * creates the host's fingerprint key on first contact (a random 256-bit value, mode 0600). Lines:
 * `key <hex>`, `now <epoch>`, `compose v1|v2|none`, `lock <mtime> <info json>`, `journal <json>`,
 * then per stack `stack <name>`, `current <id>`, `release <dir name>`, and per container
 * `container <service> <state> <exit code> <health|none> <fingerprint label>`.
 */
export function probeScript(root: string, stacks: readonly StackRef[]): string {
  const s = stateDir(root);
  const lock = lockDir(root);
  return [
    `umask 077; mkdir -p ${shq(s)} && chmod 700 ${shq(s)} || exit 1`,
    `[ -s ${shq(`${s}/key`)} ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > ${shq(`${s}/key.tmp`)} && mv ${shq(`${s}/key.tmp`)} ${shq(`${s}/key`)}; } || exit 1`,
    `echo "key $(cat ${shq(`${s}/key`)})"; echo "now $(date +%s)"`,
    DETECT_COMPOSE,
    `if [ -d ${shq(lock)} ]; then echo "lock $(stat -c %Y ${shq(`${lock}/heartbeat`)} ${shq(`${lock}/info`)} ${shq(lock)} 2>/dev/null | sort -rn | head -n 1) $(tr -d '\\n' < ${shq(`${lock}/info`)} 2>/dev/null)"; fi`,
    `[ ! -f ${shq(journalFile(root))} ] || sed 's/^/journal /' ${shq(journalFile(root))}`,
    ...stacks.map((st) =>
      [
        `echo ${shq(`stack ${st.stack}`)}`,
        `t=$(readlink ${shq(currentLink(root, st.stack))} 2>/dev/null) && echo "current \${t##*/}"`,
        `[ ! -d ${shq(releasesDir(root, st.stack))} ] || ls -1 ${shq(releasesDir(root, st.stack))} | sed 's/^/release /'`,
        `docker ps -aq --filter ${shq(`label=com.docker.compose.project=${st.project}`)} | xargs -r docker inspect --format ${shq(`container {{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{index .Config.Labels "${CONFIG_LABEL}"}}`)}`,
      ].join('\n'),
    ),
    'true',
  ].join('\n');
}

/** Reads the host's state without taking the lock (`--dry-run`). */
export function probe(root: string, stacks: readonly StackRef[]): Argv {
  return sh(probeScript(root, stacks));
}

/**
 * Takes the host's deploy lock and reads its state in one round trip. `mkdir` either creates the
 * lock directory or fails, so two deploys can never both win. The holder's info (JSON) comes on
 * stdin and is written to a temporary file renamed into place, so it is never seen half written;
 * if that write fails (no space left, read-only file system) the lock is removed again and the
 * script exits {@link LOCK_WRITE_EXIT} with the system's reason.
 *
 * A deploy that loses the `mkdir` race may look in the moment between the winner's `mkdir` and its
 * rename, and find a lock without info; it then looks again every 0.1 s for up to
 * {@link LOCK_INFO_WAIT_TRIES} times, so it can name the holder (or take the lock, if the winner
 * failed to write and removed it). A lock still without info after that is reported as such (left
 * by something other than a deploy). When the lock is held it prints `lock <mtime> <info>` and
 * exits {@link LOCK_HELD_EXIT}.
 */
export function lockAndProbe(root: string, stacks: readonly StackRef[]): Argv {
  const lock = lockDir(root);
  return sh(
    `mkdir -p ${shq(root)} || exit ${LOCK_WRITE_EXIT}`,
    'tries=0',
    'while :; do',
    `  if err=$(mkdir ${shq(lock)} 2>&1); then`,
    `    if ! err=$({ cat > ${shq(`${lock}/info.tmp`)} && mv ${shq(`${lock}/info.tmp`)} ${shq(`${lock}/info`)} && touch ${shq(`${lock}/heartbeat`)}; } 2>&1); then rm -rf ${shq(lock)}; echo "$err" >&2; exit ${LOCK_WRITE_EXIT}; fi`,
    '    break',
    `  elif [ -d ${shq(lock)} ]; then`,
    `    if [ ! -f ${shq(`${lock}/info`)} ] && [ $tries -lt ${LOCK_INFO_WAIT_TRIES} ]; then tries=$((tries + 1)); sleep 0.1; continue; fi`,
    `    echo "now $(date +%s)"; echo "lock $(stat -c %Y ${shq(`${lock}/heartbeat`)} ${shq(`${lock}/info`)} ${shq(lock)} 2>/dev/null | sort -rn | head -n 1) $(tr -d '\\n' < ${shq(`${lock}/info`)} 2>/dev/null)"; exit ${LOCK_HELD_EXIT}`,
    `  else echo "$err" >&2; exit ${LOCK_WRITE_EXIT}; fi`,
    'done',
    probeScript(root, stacks).replace(/\ntrue$/, ''),
    // Journaled after the probe printed the journal an interrupted deploy may have left.
    `if ! err=$(${journalLine(root, { step: 'lock' })} 2>&1); then rm -rf ${shq(lock)}; echo "$err" >&2; exit ${LOCK_WRITE_EXIT}; fi`,
  );
}

/**
 * Removes a lock judged stale, but only if it still holds exactly the info that was judged (a
 * deploy that took it meanwhile is left alone); exits {@link LOCK_HELD_EXIT} otherwise.
 */
export function breakStaleLock(root: string, info: string): Argv {
  const lock = lockDir(root);
  return sh(`if [ "$(tr -d '\\n' < ${shq(`${lock}/info`)} 2>/dev/null)" = ${shq(info)} ]; then rm -rf ${shq(lock)}; else exit ${LOCK_HELD_EXIT}; fi`);
}

/** Marks the lock as alive (its holder runs this every few seconds). */
export function heartbeat(root: string): Argv {
  return ['touch', '-c', path.posix.join(lockDir(root), 'heartbeat')];
}

/** Prints `now <epoch>`, `root yes|no` and, when locked, `lock <mtime> <info>` (`pvestack lock status`). */
export function lockStatus(root: string): Argv {
  const lock = lockDir(root);
  return sh(
    `echo "now $(date +%s)"; if [ -d ${shq(root)} ]; then echo root yes; else echo root no; fi`,
    `if [ -d ${shq(lock)} ]; then echo "lock $(stat -c %Y ${shq(`${lock}/heartbeat`)} ${shq(`${lock}/info`)} ${shq(lock)} 2>/dev/null | sort -rn | head -n 1) $(tr -d '\\n' < ${shq(`${lock}/info`)} 2>/dev/null)"; fi`,
  );
}

/** Removes the deploy lock (whoever holds it); exits {@link NO_LOCK_EXIT} when there was none. */
export function releaseLock(root: string): Argv {
  const lock = lockDir(root);
  return sh(`if [ -d ${shq(lock)} ]; then rm -rf ${shq(lock)}; else exit ${NO_LOCK_EXIT}; fi`);
}

/**
 * Prints `compose v2`, `compose v1` or `compose none`: v2 is preferred where both exist. v1 is found
 * on the PATH rather than started (`docker-compose version` costs a Python start-up, about a second).
 */
export const DETECT_COMPOSE =
  'if docker compose version >/dev/null 2>&1; then echo compose v2; elif command -v docker-compose >/dev/null 2>&1; then echo compose v1; else echo compose none; fi';

/**
 * The compose CLI for one project: the one vocabulary of `pvestack up`/`down` (local) and of
 * deploys (remote). Project name, directory and files are always explicit, so the same project is
 * addressed whatever the working directory.
 */
export function composeCommand(flavor: ComposeFlavor, project: string, directory: string, files: readonly string[]): Argv {
  const cli = flavor === 'v2' ? ['docker', 'compose'] : ['docker-compose'];
  return [...cli, '--project-name', project, '--project-directory', directory, ...files.flatMap((f) => ['--file', f])];
}

/** `up -d`: all services with `--remove-orphans`, or some with `--no-deps` (one at a time, rolling). Never `down -v`. */
export function composeUp(base: Argv, services: readonly string[] = []): Argv {
  return [...base, 'up', '-d', ...(services.length ? ['--no-deps', ...services] : ['--remove-orphans'])];
}

/** `down`: stops and removes the project's containers; named volumes only when asked (they hold data). */
export function composeDown(base: Argv, opts: { volumes?: boolean } = {}): Argv {
  return [...base, 'down', '--remove-orphans', '-t', '10', ...(opts.volumes ? ['--volumes'] : [])];
}

/** The compose CLI for a deployed stack, run through `current` with the release's label override. */
export function composeBase(flavor: ComposeFlavor, root: string, s: StackRef): Argv {
  const dir = currentLink(root, s.stack);
  return composeCommand(flavor, s.project, dir, [path.posix.join(dir, s.composeFile), path.posix.join(dir, LABELS_FILE)]);
}

/**
 * The shell function `w <project> <service|-> <fingerprint|-> <seconds>` that waits until every
 * container of a service (or of the whole project) runs and is healthy (or has no healthcheck, or
 * is a one-shot job that exited 0) and carries the expected fingerprint label. `unhealthy` or a
 * crash fails at once ({@link HEALTH_FAILED_EXIT}), otherwise the budget applies
 * ({@link HEALTH_TIMEOUT_EXIT}). Its last stderr line is `health <service> <what happened>`.
 *
 * One `docker ps` per poll (four a second) reads all of it: `.State` is the status word
 * (running, exited, dead, ...; Docker 20.10 and later), and `.Status` is the text `docker ps`
 * prints, whose parenthesised suffix is the health (`Up 5 seconds (healthy)`, `(unhealthy)`,
 * `(health: starting)`) and whose `Exited (<code>)` prefix is the exit code (both written by
 * docker/cli's formatter/container.go from the engine's container summary). Fields are split on
 * `|`, which neither a compose service name nor a fingerprint contains, so an empty label keeps
 * its place.
 */
export const WAIT_FUNCTION = [
  'w() {',
  '  end=$(( $(date +%s) + $4 )); f="--filter label=com.docker.compose.project=$1"',
  '  [ "$2" = - ] || f="$f --filter label=com.docker.compose.service=$2"',
  '  while :; do',
  `    s=$(docker ps -a $f --format '{{.Label "com.docker.compose.service"}}|{{.State}}|{{.Label "${CONFIG_LABEL}"}}|{{.Status}}')`,
  '    ok=1; [ -n "$s" ] || ok=0',
  "    while IFS='|' read -r n st fp status; do",
  '      [ -n "$n" ] || continue',
  '      case "$status" in *"(unhealthy)"*) h=unhealthy ;; *"(healthy)"*) h=healthy ;; *"(health: "*) h=starting ;; *) h=none ;; esac',
  '      code=0; case "$status" in "Exited ("*) code=${status#Exited (}; code=${code%%)*} ;; esac',
  `      [ "$h" != unhealthy ] || { echo "health $n is unhealthy" >&2; exit ${HEALTH_FAILED_EXIT}; }`,
  `      [ "$st" != dead ] && { [ "$st" != exited ] || [ "$code" = 0 ]; } || { echo "health $n $st with exit code $code" >&2; exit ${HEALTH_FAILED_EXIT}; }`,
  '      [ "$3" = - ] || [ "$fp" = "$3" ] || ok=0',
  '      { [ "$st" = running ] && { [ "$h" = healthy ] || [ "$h" = none ]; }; } || { [ "$st" = exited ] && [ "$code" = 0 ]; } || ok=0',
  '    done <<EOF',
  '$s',
  'EOF',
  '    [ $ok = 0 ] || return 0',
  `    [ "$(date +%s)" -lt "$end" ] || { echo "health $2 did not become healthy within $4 s (last state: $(echo "$s" | tr '|\\n' ' ;'))" >&2; exit ${HEALTH_TIMEOUT_EXIT}; }`,
  '    sleep 0.25',
  '  done',
  '}',
].join('\n');

/** A service to wait for: its fingerprint and its budget in seconds. */
export interface WaitFor {
  readonly service: string;
  readonly fingerprint: string;
  readonly seconds: number;
}

const waitCall = (project: string, w: WaitFor): string => `w ${shq(project)} ${shq(w.service)} ${shq(w.fingerprint)} ${w.seconds}`;

/** Creates each Docker network that does not exist yet (the stacks' shared external network). */
export function ensureNetworkLines(networks: readonly string[]): string[] {
  return networks.map((n) => `docker network inspect ${shq(n)} >/dev/null 2>&1 || docker network create ${shq(n)} >/dev/null`);
}

/**
 * The network step of a stack on the local engine (`pvestack up`): the same lines a deploy's
 * upload runs on a host before its switch.
 */
export function ensureNetworks(networks: readonly string[]): Argv {
  return sh(...ensureNetworkLines(networks));
}

/** One `sh` script (`set -e`): the `prelude` lines, then each health wait in order. `upAndWait` puts its `up` last in the prelude. */
export function waitOnly(project: string, waits: readonly WaitFor[], opts: { prelude?: readonly string[] } = {}): Argv {
  return sh(WAIT_FUNCTION, 'set -e', ...(opts.prelude ?? []), ...waits.map((w) => waitCall(project, w)));
}

/**
 * `up -d` of one service (`--no-deps`) or of the whole project (`--remove-orphans`), then its
 * health waits in start order; `prelude` runs first (a deploy journals the step there). The one
 * start-and-wait of deploys (through `current`) and of `pvestack up` (in the local directory).
 */
export function upAndWait(
  base: Argv,
  project: string,
  waits: readonly WaitFor[],
  opts: { services?: readonly string[]; prelude?: readonly string[] } = {},
): Argv {
  return waitOnly(project, waits, { prelude: [...(opts.prelude ?? []), `${toShell(composeUp(base, opts.services))} >&2`] });
}

/**
 * Ships and switches in one round trip: removes uploads a dead deploy left (`*.partial`), unpacks
 * the archive from stdin into `<id>.partial` (`umask 077`; modes as archived, secret env files and
 * the manifest 0600) and seals it with `mv -T` (only when `upload`: a release already on the host
 * is reused as it is), creates the external networks, journals the switch, then points `current`
 * at it atomically (a new symlink under a temporary name, renamed over the old one).
 */
export function uploadAndSwitch(root: string, s: StackRef, opts: { id: string; previous?: string; upload: boolean; networks: readonly string[] }): Argv {
  const rel = releasesDir(root, s.stack);
  const tmp = path.posix.join(stackDir(root, s.stack), '.current.tmp');
  return sh(
    'set -e',
    `mkdir -p ${shq(rel)}`,
    `rm -rf ${shq(rel)}/*.partial`,
    opts.upload
      ? `mkdir ${shq(partialDir(root, s.stack, opts.id))}\n(umask 077 && tar -x -p --no-same-owner -C ${shq(partialDir(root, s.stack, opts.id))})\nmv -T ${shq(partialDir(root, s.stack, opts.id))} ${shq(releaseDir(root, s.stack, opts.id))}`
      : '',
    `touch ${shq(releaseDir(root, s.stack, opts.id))}`,
    ...ensureNetworkLines(opts.networks),
    journalLine(root, { step: 'switch', stack: s.stack, release: opts.id, ...(opts.previous ? { previous: opts.previous } : {}) }),
    `ln -sfn ${shq(`releases/${opts.id}`)} ${shq(tmp)}`,
    `mv -T ${shq(tmp)} ${shq(currentLink(root, s.stack))}`,
  );
}

/**
 * Brings one service to the release: `up -d --no-deps <service>` (compose recreates it when its
 * fingerprint label differs, starts it when stopped, creates it when removed) and waits for it.
 */
export function recreateService(flavor: ComposeFlavor, root: string, s: StackRef, w: WaitFor): Argv {
  return upAndWait(composeBase(flavor, root, s), s.project, [w], {
    services: [w.service],
    prelude: [journalLine(root, { step: `recreate:${w.service}`, stack: s.stack })],
  });
}

/**
 * Starts the whole release (`up -d --remove-orphans`: services removed from the file go, nothing
 * else that already matches is touched) and waits for every service in start order; with
 * `start` false it only waits (see the health step in deploy/plan.ts).
 */
export function startAll(flavor: ComposeFlavor, root: string, s: StackRef, waits: readonly WaitFor[], start = true): Argv {
  const prelude = [journalLine(root, { step: 'health', stack: s.stack })];
  if (!start) return waitOnly(s.project, waits, { prelude });
  return upAndWait(composeBase(flavor, root, s), s.project, waits, { prelude });
}

/**
 * Switches `current` back to `previous`, starts it (`up -d --remove-orphans`: compose recreates
 * what differs) and waits until every container of the project is healthy.
 */
export function rollback(flavor: ComposeFlavor, root: string, s: StackRef, previous: string, seconds: number): Argv {
  const tmp = path.posix.join(stackDir(root, s.stack), '.current.tmp');
  return sh(
    WAIT_FUNCTION,
    'set -e',
    journalLine(root, { step: 'rollback', stack: s.stack, release: previous }),
    `ln -sfn ${shq(`releases/${previous}`)} ${shq(tmp)}`,
    `mv -T ${shq(tmp)} ${shq(currentLink(root, s.stack))}`,
    `${toShell(composeUp(composeBase(flavor, root, s)))} >&2`,
    `w ${shq(s.project)} - - ${seconds}`,
  );
}

/**
 * Ends a deploy on a host: keeps the newest `keep` releases of each stack (by time of last use;
 * never the current one, never an upload in progress), clears the journal and releases the lock.
 */
export function finish(root: string, prune: readonly string[], keep: number): Argv {
  return sh(
    ...prune.map(
      (stack) =>
        `(cd ${shq(releasesDir(root, stack))} && cur=$(basename "$(readlink ../current)") && ls -1t | grep -v '\\.partial$' | tail -n +${keep + 1} | while read -r r; do [ "$r" = "$cur" ] || rm -rf -- "$r"; done) || true`,
    ),
    `rm -f ${shq(journalFile(root))}`,
    `rm -rf ${shq(lockDir(root))}`,
  );
}

/** The last `lines` log lines of one service. */
export function composeLogs(flavor: ComposeFlavor, root: string, s: StackRef, service: string, lines: number): Argv {
  return [...composeBase(flavor, root, s), 'logs', '--no-color', '--tail', String(lines), service];
}
