/**
 * Deploy fan-out: one small compose stack (busybox httpd with a healthcheck) to 1, 5 and 10 hosts,
 * each a real OpenSSH server on its own loopback address (with its own deploy root, in a private
 * mount namespace) in front of one real Docker engine. Three ways, each run until every host's
 * service is healthy:
 * - `pvestack`: the CLI as a user runs it (`pvestack deploy <spec> --concurrency N`: start-up, spec
 *   load, checks, render, then lock, upload + switch, up, health, prune + unlock per host);
 * - `ansible`: `ansible-playbook` with one `copy` and one `shell` task, forks = hosts;
 * - `openssh`: plain parallel `scp` + `ssh` per host — the lower bound for shipping over SSH.
 * Every run deploys fresh compose projects (a first deploy), removed afterwards, untimed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchDir } from '../scratch';
import { stringify } from 'yaml';
import type { ServiceSpec } from '../../model';
import { renderCompose } from '../../templates/compose/render-compose';
import { pinnedKeyOptions } from '../../templates/openssh-options';
import { loopbackHostsSpec } from '../../test/support/loopback-spec';
import type { TestSshd } from '../../test/support/sshd';
import { median, mustRun } from '../measure';
import { dockerdSupport, sshdSupport, toolsSupport } from './test-support';

const { startDockerd, BUSYBOX_IMAGE } = dockerdSupport;
const { startSshd } = sshdSupport;
const { hasCommand } = toolsSupport;

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'pvestack.js');

export type Approach = 'pvestack' | 'ansible' | 'openssh';

export interface FanoutRow {
  readonly hosts: number;
  readonly runs: number;
  /** Median wall milliseconds per approach; a string says why it was skipped. */
  readonly ms: Readonly<Record<Approach, number | string>>;
}

export type FanoutResult = { readonly skipped: string } | { readonly rows: FanoutRow[]; readonly notes: string[] };

/** The environment the pvestack CLI deploys; its name gives the shared network every stack joins. */
const ENV = 'bench';
const NETWORK = `pvestack-${ENV}`;

/** The one service every approach runs: busybox httpd with a healthcheck. */
const WEB: ServiceSpec = {
  name: 'web',
  image: BUSYBOX_IMAGE,
  command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
  healthcheck: {
    test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'],
    intervalSeconds: 1,
    timeoutSeconds: 2,
    retries: 3,
    startPeriodSeconds: 1,
  },
};

/**
 * The compose file the baselines ship: the renderer's output for {@link WEB} on the shared network,
 * the same file the pvestack CLI renders from the bench spec (which adds only comment lines).
 */
export function benchCompose(): string {
  return renderCompose({ services: [WEB], sharedNetwork: NETWORK }).text;
}

/** The bench environment for the first `hosts.length` hosts: one compose stack per host, named after the run. */
function benchSpec(lab: Lab, hosts: readonly TestSshd[], tag: string): string {
  return stringify(
    loopbackHostsSpec({
      name: ENV,
      description: 'Deploy fan-out bench',
      hosts,
      guestName: (i) => `h${i}`,
      stacks: (i) => [{ kind: 'compose', name: `${tag}-${i}`, services: [WEB] }],
    }),
  );
}

/** Remote shell for the baselines: start the project and wait until `web` is healthy (as pvestack does). */
function upAndWait(dir: string, project: string, dockerHost: string, opts: { jinja?: boolean } = {}): string {
  // Ansible templates its arguments with Jinja, which would eat docker's own {{...}} format.
  const format = opts.jinja ? "{% raw %}'{{.State.Health.Status}}'{% endraw %}" : "'{{.State.Health.Status}}'";
  return [
    `export DOCKER_HOST=${dockerHost}`,
    `cd ${dir}`,
    `docker-compose -p ${project} up -d >/dev/null 2>&1`,
    `for i in $(seq 1 240); do [ "$(docker inspect -f ${format} ${project}_web_1 2>/dev/null)" = healthy ] && exit 0; sleep 0.25; done; exit 1`,
  ].join(' && ');
}

interface Lab {
  readonly dockerHost: string;
  readonly hosts: TestSshd[];
  readonly knownHosts: string;
  /** The deploy root every host has at the same path (each its own directory, as real hosts). */
  readonly root: string;
  readonly scratch: string;
  stop(): Promise<void>;
}

async function startLab(count: number): Promise<Lab> {
  const dockerd = await startDockerd();
  const scratch = scratchDir('fanout-');
  const root = path.join(scratch, 'pvestack-root');
  fs.mkdirSync(root);
  const hosts: TestSshd[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const own = path.join(scratch, `host-${i}`, 'pvestack');
      fs.mkdirSync(own, { recursive: true });
      // Loopback address per host (the spec gives each guest its own), its own deploy root at one
      // path (a private mount namespace), and DOCKER_HOST for its sessions.
      hosts.push(
        await startSshd({
          ...(i > 0 ? { clientKey: hosts[0]!.privateKeyPath } : {}),
          address: `127.0.0.${i + 2}`,
          env: { DOCKER_HOST: dockerd.dockerHost },
          ownDir: { source: own, target: root },
        }),
      );
    }
  } catch (err) {
    for (const h of hosts) h.stop();
    await dockerd.stop();
    throw err;
  }
  const knownHosts = path.join(scratch, 'known_hosts');
  fs.writeFileSync(knownHosts, hosts.map((h) => fs.readFileSync(h.knownHostsPath, 'utf8')).join(''));
  // Real hosts each create the shared network on their own engine; the lab's hosts share one.
  mustRun('docker', ['network', 'create', NETWORK], { env: { ...process.env, DOCKER_HOST: dockerd.dockerHost } });
  return {
    dockerHost: dockerd.dockerHost,
    hosts,
    knownHosts,
    root,
    scratch,
    async stop() {
      for (const h of hosts) h.stop();
      await dockerd.stop();
    },
  };
}

function cleanDocker(dockerHost: string): void {
  const env = { ...process.env, DOCKER_HOST: dockerHost };
  // The lab's Docker engine is private to the bench: every container on it is the bench's.
  const ids = mustRun('docker', ['ps', '-aq'], { env }).split('\n').filter(Boolean);
  if (ids.length) mustRun('docker', ['rm', '-f', ...ids], { env });
  const nets = mustRun('docker', ['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project'], { env }).split('\n').filter(Boolean);
  if (nets.length) mustRun('docker', ['network', 'rm', ...nets], { env });
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${out.slice(-1500)}`))));
  });
}

const sshOpts = (lab: Lab, h: TestSshd) => pinnedKeyOptions(h.privateKeyPath, lab.knownHosts);

async function viaOpenssh(lab: Lab, hosts: TestSshd[], tag: string, composeFile: string): Promise<void> {
  await Promise.all(
    hosts.map(async (h, i) => {
      const project = `${tag}-${i}`;
      const root = path.join(lab.scratch, `host-${i}`, 'openssh');
      await exec('scp', ['-q', '-P', String(h.port), ...sshOpts(lab, h), composeFile, `root@${h.host}:${root}/${project}.yaml`]);
      const dir = path.join(root, project);
      await exec('ssh', [
        '-p',
        String(h.port),
        ...sshOpts(lab, h),
        `root@${h.host}`,
        `mkdir -p ${dir} && mv ${root}/${project}.yaml ${dir}/compose.yaml && ${upAndWait(dir, project, lab.dockerHost)}`,
      ]);
    }),
  );
}

function ansibleFiles(lab: Lab, hosts: TestSshd[], tag: string, composeFile: string): { inventory: string; playbook: string } {
  const inventory = path.join(lab.scratch, `${tag}-inventory.yml`);
  const playbook = path.join(lab.scratch, `${tag}-playbook.yml`);
  const hostvars = Object.fromEntries(
    hosts.map((h, i) => [
      `h${i}`,
      { ansible_host: h.host, ansible_port: h.port, bench_project: `${tag}-${i}`, bench_dir: path.join(lab.scratch, `host-${i}`, 'ansible', `${tag}-${i}`) },
    ]),
  );
  fs.writeFileSync(
    inventory,
    stringify({
      all: {
        hosts: hostvars,
        vars: {
          ansible_user: 'root',
          ansible_ssh_private_key_file: hosts[0]!.privateKeyPath,
          ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
          ansible_python_interpreter: '/usr/bin/python3',
        },
      },
    }),
  );
  fs.writeFileSync(
    playbook,
    stringify([
      {
        hosts: 'all',
        gather_facts: false,
        tasks: [
          { name: 'ship the compose file', copy: { src: composeFile, dest: '{{ bench_dir }}/compose.yaml', mode: '0644' } },
          { name: 'start and wait for health', shell: upAndWait('{{ bench_dir }}', '{{ bench_project }}', lab.dockerHost, { jinja: true }) },
        ],
      },
    ]),
  );
  return { inventory, playbook };
}

async function viaAnsible(lab: Lab, hosts: TestSshd[], tag: string, composeFile: string): Promise<void> {
  const { inventory, playbook } = ansibleFiles(lab, hosts, tag, composeFile);
  // `copy` does not create a file's parent directory. The loopback hosts share this filesystem, so
  // it is made here (microseconds); on real hosts it would be one more `file` task.
  for (const h of hosts.keys()) fs.mkdirSync(path.join(lab.scratch, `host-${h}`, 'ansible', `${tag}-${h}`), { recursive: true });
  await exec('ansible-playbook', ['-i', inventory, '-f', String(hosts.length), playbook], {
    ...process.env,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
  });
}

/**
 * pvestack as a user runs it: the CLI process (start-up, spec load, checks, render, deploy) with
 * the bench spec, all hosts at once (`--concurrency`), waiting until every service runs healthy.
 */
async function viaPvestack(lab: Lab, hosts: TestSshd[], tag: string): Promise<void> {
  const spec = path.join(lab.scratch, `${tag}.yaml`);
  fs.writeFileSync(spec, benchSpec(lab, hosts, tag));
  await exec(
    process.execPath,
    [CLI, 'deploy', spec, '--root', lab.root, '-i', hosts[0]!.privateKeyPath, '--plain', '--yes', '--concurrency', String(hosts.length)],
    { ...process.env, CI: 'true' },
  );
}

/** The pvestack CLI, or why the deploy part cannot run. */
function pvestackDeployer(): { deploy?: (lab: Lab, hosts: TestSshd[], tag: string) => Promise<void>; skipped?: string } {
  if (!fs.existsSync(path.join(ROOT, 'deploy', 'host-deploy.ts'))) return { skipped: 'skipped: not implemented' };
  return { deploy: (lab, hosts, tag) => viaPvestack(lab, hosts, tag) };
}

export async function fanout(sizes: readonly { hosts: number; runs: number }[], log: (s: string) => void): Promise<FanoutResult> {
  const missing = ['dockerd', 'docker', 'docker-compose', '/usr/sbin/sshd', 'ssh', 'scp', 'busybox', 'unshare'].filter((c) => !hasCommand(c));
  if (process.getuid?.() !== 0) missing.push('(root)');
  if (missing.length) return { skipped: `skipped: missing ${missing.join(', ')}` };
  const notes: string[] = [];
  const ansibleOk = hasCommand('ansible-playbook');
  if (!ansibleOk) notes.push('ansible: skipped (ansible-playbook not installed)');
  const pvestack = pvestackDeployer();
  if (pvestack.skipped) notes.push(`pvestack: ${pvestack.skipped}`);

  const lab = await startLab(Math.max(...sizes.map((s) => s.hosts)));
  try {
    const composeYaml = benchCompose();
    const composeFile = path.join(lab.scratch, 'compose.yaml');
    fs.writeFileSync(composeFile, composeYaml);
    for (let i = 0; i < lab.hosts.length; i++)
      for (const a of ['pvestack', 'ansible', 'openssh']) fs.mkdirSync(path.join(lab.scratch, `host-${i}`, a), { recursive: true });
    const approaches: Record<Approach, ((hosts: TestSshd[], tag: string) => Promise<void>) | undefined> = {
      pvestack: pvestack.deploy ? (hosts, tag) => pvestack.deploy!(lab, hosts, tag) : undefined,
      ansible: ansibleOk ? (hosts, tag) => viaAnsible(lab, hosts, tag, composeFile) : undefined,
      openssh: (hosts, tag) => viaOpenssh(lab, hosts, tag, composeFile),
    };
    // Warm-up, untimed: the first container start pays for image layer setup.
    await viaOpenssh(lab, lab.hosts.slice(0, 1), 'warm', composeFile);
    cleanDocker(lab.dockerHost);
    const rows: FanoutRow[] = [];
    for (const { hosts: n, runs } of sizes) {
      const times: Record<Approach, number[]> = { pvestack: [], ansible: [], openssh: [] };
      for (let r = 0; r < runs; r++) {
        // Interleave the approaches so that load from elsewhere hits all of them alike.
        for (const a of ['pvestack', 'ansible', 'openssh'] as const) {
          const run = approaches[a];
          if (!run) continue;
          const s = performance.now();
          await run(lab.hosts.slice(0, n), `b${a[0]}${n}r${r}`);
          times[a].push(performance.now() - s);
          cleanDocker(lab.dockerHost);
        }
      }
      const ms = Object.fromEntries(
        (['pvestack', 'ansible', 'openssh'] as const).map((a) => [a, times[a].length ? median(times[a]) : a === 'pvestack' ? pvestack.skipped! : 'skipped']),
      ) as Record<Approach, number | string>;
      rows.push({ hosts: n, runs, ms });
      log(
        `  ${n} host${n === 1 ? '' : 's'} × ${runs}: ${(['pvestack', 'ansible', 'openssh'] as const).map((a) => `${a} ${typeof ms[a] === 'number' ? `${Math.round(ms[a] as number)} ms` : 'skipped'}`).join(', ')}`,
      );
    }
    return { rows, notes };
  } finally {
    await lab.stop();
  }
}
