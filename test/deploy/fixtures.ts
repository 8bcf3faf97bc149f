/**
 * Hand-built RenderedStack fixtures (busybox compose stacks) and helpers shared by the deploy
 * tests: the same shape the renderers produce, small enough to start in a second or two.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCompose } from '../../templates/compose/render-compose';
import { DeployContext, HostTarget } from '../../deploy/host-deploy';
import { Masker } from '../../deploy/secrets';
import type { RenderedStack } from '../../templates/artifacts';
import { BUSYBOX_IMAGE } from '../support/dockerd';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSshd, type TestSshd } from '../support/sshd';
import { run, scratchDir } from '../support/tools';

export const SECRET_VALUE = 's3cr3t-token-value';

export interface WebStackOptions {
  readonly image: string;
  /** Changes the web service's definition (env), i.e. a new release. */
  readonly release?: string;
  /** Changes the client service's definition (env) too. */
  readonly clientRelease?: string;
  /** Point web's healthcheck at a closed port: the release never becomes healthy. */
  readonly brokenHealth?: boolean;
  /** Extra files (e.g. a large asset for the upload-cut test). */
  readonly extraFiles?: RenderedStack['files'];
  /** Mark `client` stateful. */
  readonly statefulClient?: boolean;
  /** An external network both services join (the renderers' shared network). */
  readonly sharedNetwork?: string;
}

/** A fast busybox healthcheck: `wget` of `url` every second, healthy after one answer. */
export const wgetHealth = (url: string) => ({
  test: ['CMD', 'wget', '-q', '-O', '/dev/null', url],
  intervalSeconds: 1,
  timeoutSeconds: 2,
  retries: 2,
  startPeriodSeconds: 5,
});

/**
 * Two services rendered by the real renderer: `web` (httpd, named volume `data`, secret env file)
 * and `client` depending on it.
 */
export function webStack(name: string, opts: WebStackOptions): RenderedStack {
  const compose = renderCompose({
    ...(opts.sharedNetwork ? { sharedNetwork: opts.sharedNetwork } : {}),
    services: [
      {
        name: 'web',
        image: opts.image,
        command: ['sh', '-c', 'echo "starting with token $API_TOKEN"; exec httpd -f -p 8080 -h /www'],
        env: { RELEASE: opts.release ?? 'v1' },
        secretEnv: [{ variable: 'API_TOKEN', secret: 'api-token' }],
        volumes: ['data:/data'],
        healthcheck: wgetHealth(opts.brokenHealth ? 'http://127.0.0.1:9999/' : 'http://127.0.0.1:8080/'),
        stopGracePeriodSeconds: 2,
      },
      {
        name: 'client',
        image: opts.image,
        command: ['httpd', '-f', '-p', '8081', '-h', '/www'],
        ...(opts.clientRelease ? { env: { RELEASE: opts.clientRelease } } : {}),
        dependsOn: ['web'],
        healthcheck: wgetHealth('http://web:8080/'),
        stateful: opts.statefulClient ?? false,
        stopGracePeriodSeconds: 2,
      },
    ],
  });
  return {
    name,
    composeFile: 'compose.yaml',
    guest: name,
    files: [
      { path: 'compose.yaml', content: compose.text },
      { path: 'conf/app.conf', content: `release=${opts.release ?? 'v1'}\n` },
      ...(opts.extraFiles ?? []),
    ],
    secretFiles: compose.secretFiles,
    services: compose.services,
    ...(opts.sharedNetwork ? { externalNetworks: [opts.sharedNetwork] } : {}),
  };
}

/** Builds the test image FROM the preloaded busybox image (no registry). */
export function buildWebImage(dockerHost: string, tag: string): void {
  const { dir, cleanup } = scratchDir('pvestack-deploy-image-');
  try {
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${BUSYBOX_IMAGE}\nRUN echo hello > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
    );
    // One retry: two suites building at once on a loaded engine occasionally trip the legacy builder.
    for (let attempt = 1; ; attempt++) {
      try {
        run('docker', ['build', '--force-rm', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: '0' } });
        return;
      } catch (err) {
        if (attempt >= 2) throw new Error(`docker build ${tag} failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`, { cause: err });
      }
    }
  } finally {
    cleanup();
  }
}

/** A deploy target for a test sshd: its own deploy root, DOCKER_HOST passed to remote commands. */
export function targetFor(sshd: TestSshd, stacks: RenderedStack[], dockerHost: string, root: string): HostTarget {
  return {
    guest: stacks[0]?.name ?? `host-${sshd.port}`,
    root,
    stacks,
    endpoint: {
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      hostKeys: [sshd.hostPublicKey],
      identity: sshd.privateKeyPath,
      remoteEnv: { DOCKER_HOST: dockerHost },
    },
  };
}

/** A deploy context with the test secret, a health wait a busy machine does not run out of (unhealthy fails at once) and a stage log. */
export function testContext(overrides: Partial<DeployContext> = {}): DeployContext & { stages: string[] } {
  const stages: string[] = [];
  return {
    env: 'test',
    lock: { run: 'r1', owner: 'tester@ci', machine: 'test-machine', pid: process.pid, since: '2026-01-01T00:00:00.000Z', env: 'test', commit: 'abc1234' },
    local: { machine: 'test-machine', alive: () => true },
    secrets: new Map([['api-token', SECRET_VALUE]]),
    masker: new Masker([SECRET_VALUE]),
    healthTimeoutMs: 120_000,
    confirmStateful: async () => true,
    onStage: (guest, stage, detail) => stages.push(`${guest} ${stage}${detail ? ` ${detail}` : ''}`),
    stages,
    ...overrides,
  };
}

/** `docker` against the shared test engine. */
export function docker(dockerHost: string, args: string[]): string {
  return run('docker', args, { env: { ...process.env, DOCKER_HOST: dockerHost } }).trim();
}

/** StartedAt of every container of a compose project, by service. */
export function startedAt(dockerHost: string, project: string): Record<string, string> {
  const ids = docker(dockerHost, ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])
    .split('\n')
    .filter(Boolean);
  const out: Record<string, string> = {};
  for (const id of ids) {
    const [svc, started] = docker(dockerHost, ['inspect', '--format', '{{index .Config.Labels "com.docker.compose.service"}} {{.State.StartedAt}}', id]).split(
      ' ',
    );
    out[svc!] = started!;
  }
  return out;
}

/** Health of every running container of a project, by service (`none`: it has no healthcheck). */
export function healthOf(dockerHost: string, project: string): Record<string, string> {
  const ids = docker(dockerHost, ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])
    .split('\n')
    .filter(Boolean);
  const out: Record<string, string> = {};
  for (const id of ids) {
    const [svc, health] = docker(dockerHost, [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.service"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
      id,
    ]).split(' ');
    out[svc!] = health!;
  }
  return out;
}

/** The container id of one service of a project. */
export function containerOf(dockerHost: string, project: string, service: string): string {
  return docker(dockerHost, ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
}

/** Removes a project's containers and (optionally) volumes; tests own their projects. */
export function removeProject(dockerHost: string, project: string): void {
  const ids = docker(dockerHost, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length) docker(dockerHost, ['rm', '-f', ...ids]);
  const vols = docker(dockerHost, ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])
    .split('\n')
    .filter(Boolean);
  if (vols.length) docker(dockerHost, ['volume', 'rm', '-f', ...vols]);
  const nets = docker(dockerHost, ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])
    .split('\n')
    .filter(Boolean);
  if (nets.length) docker(dockerHost, ['network', 'rm', ...nets]);
}

/** The release the `current` link points at. */
export function currentRelease(root: string, stack: string): string {
  return path.basename(fs.readlinkSync(path.join(root, stack, 'current')));
}

/**
 * One sshd, one scratch deploy root and the test image for a describe block, with cleanup of the
 * compose projects it handed out: after the test that asked for them, because every running
 * container's one-second healthcheck costs the engine CPU (about 60 ms per check, so six idle
 * containers take a fifth of a 2-core machine). Call inside `describe`: it registers the hooks.
 */
export function deployTestHost(dockerHost: string, image: string, label: string) {
  let sshd: TestSshd | undefined;
  let scratch: ReturnType<typeof scratchDir> | undefined;
  const projects: string[] = [];
  beforeAll(async () => {
    buildWebImage(dockerHost, image);
    scratch = scratchDir(`pvestack-deploy-${label}-`);
    sshd = await startSshd();
  });
  afterEach(() => {
    for (const p of projects.splice(0)) removeProject(dockerHost, p);
  });
  afterAll(() => {
    for (const p of projects) removeProject(dockerHost, p);
    sshd?.stop();
    scratch?.cleanup();
  });
  return {
    get sshd(): TestSshd {
      return sshd!;
    },
    /** A path under the scratch directory (a stack's deploy root, a known_hosts file). */
    rootFor: (name: string) => path.join(scratch!.dir, name),
    /** Registers a compose project name for removal after the current test and returns it. */
    project: (name: string) => {
      projects.push(name);
      return name;
    },
  };
}
