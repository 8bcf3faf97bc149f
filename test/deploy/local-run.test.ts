import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HEALTH_FAILED_EXIT, HEALTH_TIMEOUT_EXIT } from '../../deploy/commands';
import { planLocal, upCommands, type Runner } from '../../deploy/local-compose';
import { runUp, stderrTail } from '../../deploy/local-run';
import { OperationError } from '../../model';
import { loadEnvironment } from '../../stacks/registry';
import { scratchDir } from '../support/tools';

describe('runUp', () => {
  const scratch = scratchDir('pvestack-local-run-');
  afterAll(scratch.cleanup);
  const plan = planLocal(scratch.dir, loadEnvironment('dev'), { gpu: false, flavor: 'v1' });
  const values = new Map(['postgres-password', 'redis-password', 'vllm-api-key', 'session-secret'].map((s) => [s, `${s}-value`] as const));
  const o = { healthTimeoutSeconds: 30 };

  it('runs the plan’s commands in order, writing each stack’s files before its first step', () => {
    const ran: (readonly string[])[] = [];
    const run: Runner = (argv, opts) => {
      ran.push(argv);
      if (argv[0] === 'sh') expect(fs.existsSync(path.join(opts!.cwd!, 'compose.yaml'))).toBe(true);
      return { status: 0, stdout: '', stderr: '' };
    };
    const result = runUp(plan, { values, ...o, run });
    expect(result.commands).toEqual(upCommands(plan, o));
    // Then one `ps -q` per stack for the report (no containers here, so no inspect).
    const n = result.commands.length;
    expect(ran.slice(0, n)).toEqual(result.commands);
    expect(ran.slice(n).map((a) => a.slice(-2))).toEqual(plan.stacks.map(() => ['ps', '-q']));
    const env = path.join(plan.stacks[0]!.dir, 'secrets', 'postgres.env');
    expect(fs.statSync(env).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(env, 'utf8')).toContain('postgres-password-value');
  });

  it.each([
    [HEALTH_FAILED_EXIT, 'health redis is unhealthy', 'service redis is unhealthy', 'See their logs'],
    [
      HEALTH_TIMEOUT_EXIT,
      'health redis did not become healthy within 30 s (last state: redis running 0 starting -)',
      'service redis did not become healthy within 30 s',
      'Raise --wait-timeout',
    ],
  ])('a health wait that exits %i stops the run with one sentence', (code, stderr, message, hint) => {
    let calls = 0;
    const run: Runner = (argv) => (
      (calls += 1),
      argv[0] === 'sh' && argv[2]!.includes(' up -d ') ? { status: code, stdout: '', stderr: `noise\n${stderr}\n` } : { status: 0, stdout: '', stderr: '' }
    );
    const err = (() => {
      try {
        runUp(plan, { values, ...o, run });
      } catch (e) {
        return e as OperationError;
      }
      throw new Error('runUp did not fail');
    })();
    expect(err).toBeInstanceOf(OperationError);
    expect(err.message).toContain(message);
    expect(err.message).toContain(hint);
    // Stopped at the first stack's start: nothing after it ran.
    expect(calls).toBe(2);
  });
});

describe('compose failures read as one sentence', () => {
  it('keeps only the exception line of a docker-compose 1.x traceback', () => {
    const traceback =
      'Traceback (most recent call last):\n  File "/usr/bin/docker-compose", line 33, in <module>\n    sys.exit(main())\ndocker.errors.DockerException: Error while fetching server API version';
    expect(stderrTail(traceback)).toBe('docker.errors.DockerException: Error while fetching server API version');
  });

  it('does not put a full stop after a question the tool asked', () => {
    expect(new OperationError('Cannot connect to the Docker daemon. Is the docker daemon running?', 'Check DOCKER_HOST').message).toBe(
      'Cannot connect to the Docker daemon. Is the docker daemon running? Check DOCKER_HOST',
    );
  });
});
