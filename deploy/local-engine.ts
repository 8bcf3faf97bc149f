/**
 * Is there a Docker engine to talk to? `up` and `down` ask once, before running compose, so that
 * a missing engine is one sentence with the fix instead of compose's own failure (for Debian's
 * docker-compose 1.x, a Python traceback).
 */
import { OperationError } from '../model';
import { type Runner, spawnRunner } from './local-compose';

/** `docker version` answers with the server's version only when an engine is reachable. */
export function engineVersionArgv(): string[] {
  return ['docker', 'version', '--format', '{{.Server.Version}}'];
}

/**
 * Throws an OperationError naming DOCKER_HOST (or the default socket) when no engine answers.
 * @param dockerHost the DOCKER_HOST in effect, for the message
 */
export function requireDockerEngine(dockerHost: string | undefined, run: Runner = spawnRunner): void {
  const r = run(engineVersionArgv());
  if (r.status === 0 && r.stdout.trim()) return;
  if (/ENOENT/.test(r.stderr))
    throw new OperationError('the docker command is not installed', 'Install the Docker CLI and engine (Docker Engine or Docker Desktop), then run this again');
  const where = dockerHost ? `DOCKER_HOST=${dockerHost}` : 'the default socket unix:///var/run/docker.sock';
  throw new OperationError(
    `no Docker engine answers at ${where}`,
    'Start the Docker engine, or point DOCKER_HOST at one that runs (`docker version` shows the same problem); nothing was started or stopped',
  );
}
