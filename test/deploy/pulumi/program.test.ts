import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostTarget } from '../../../deploy/host-deploy';
import type { PulumiResources } from '../../../deploy/pulumi/program';
import type { RenderedStack } from '../../../templates/artifacts';
import { renderCompose } from '../../../templates/compose/render-compose';

const SECRET = 'sk-very-secret-api-key';

/** Every resource the program registers, as the engine would see it. */
const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
/** The `retainOnDelete` option each resource reached the engine with (the mocks API does not pass options). */
const retainOnDelete = new Map<string, boolean | undefined>();
/** The URNs each resource depends on (explicit `dependsOn` and inputs), as registered. */
const dependencies = new Map<string, string[]>();

function vllmStack(): RenderedStack {
  // Rendered by the real renderer: the program reads the typed definitions it returns, not its YAML.
  const compose = renderCompose({
    sharedNetwork: 'pvestack-test',
    services: [
      {
        name: 'vllm',
        image: 'vllm/vllm-openai:v0.11.0',
        command: ['--model', 'Qwen/Qwen2.5-1.5B-Instruct', '--served-model-name', '$literal'],
        ipc: 'host',
        env: { HF_HOME: '/models' },
        secretEnv: [{ variable: 'VLLM_API_KEY', secret: 'vllm-api-key' }],
        ports: ['127.0.0.1:8000:8000'],
        volumes: ['models:/models', './conf/app.conf:/etc/app.conf:ro'],
        healthcheck: { test: ['CMD', 'true'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 900 },
        gpus: 2,
        stateful: true,
      },
      { name: 'web', image: 'local/web@sha256:0123456789abcdef', env: { PORT: '3000' } },
    ],
  });
  return {
    name: 'vllm',
    composeFile: 'compose.yaml',
    guest: 'gpu-1',
    files: [
      { path: 'compose.yaml', content: compose.text },
      { path: 'conf/app.conf', content: 'a=1\n' },
    ],
    secretFiles: compose.secretFiles,
    services: compose.services,
    externalNetworks: ['pvestack-test'],
  };
}

/** A compose-rendered stack of one or two busybox-like services; `kind` places it in the host's start order. */
function smallStack(name: string, kind: string, services: { name: string; dependsOn?: string[] }[]): RenderedStack {
  const compose = renderCompose({ services: services.map((s) => ({ ...s, image: `local/${s.name}:1` })) });
  return { name, kind, composeFile: 'compose.yaml', guest: 'db-1', files: [], secretFiles: [], services: compose.services };
}

/** Listed app first; the deployer's order starts the database stack first, and `api` after `db` and `cache`. */
const ordered: HostTarget = {
  guest: 'db-1',
  root: '/opt/pvestack',
  stacks: [
    smallStack('app', 'nextjs', [{ name: 'web' }]),
    smallStack('postgres', 'postgres', [{ name: 'api', dependsOn: ['db', 'cache'] }, { name: 'db' }, { name: 'cache' }]),
  ],
  endpoint: { host: '10.20.0.31', port: 22, user: 'ops', hostKeys: [] },
};

const target: HostTarget = {
  guest: 'gpu-1',
  root: '/opt/pvestack',
  stacks: [vllmStack()],
  endpoint: { host: '10.20.0.30', port: 2222, user: 'ops', hostKeys: [], knownHostsPath: '/home/ops/.pvestack/known_hosts' },
};

describe('Pulumi engine program (runtime mocks)', () => {
  let resources: PulumiResources;

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, ...(args.type === 'docker:index/remoteImage:RemoteImage' ? { imageId: `${String(args.inputs.name)}-id` } : {}) },
          };
        },
        call: (args) => args.inputs,
      },
      'pvestack-apps',
      'test',
      false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource: (req: { getName(): string; getRetainondelete(): boolean | undefined; getDependenciesList(): string[] }, cb: unknown) => unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      retainOnDelete.set(req.getName(), req.getRetainondelete());
      dependencies.set(req.getName(), req.getDependenciesList());
      return register(req, cb);
    };
    const { definePulumiResources } = await import('../../../deploy/pulumi/program');
    resources = definePulumiResources([target, ordered], new Map([['vllm-api-key', SECRET]]));
    // Wait until the mock engine has registered every resource: an id resolves only then.
    const all: pulumi.CustomResource[] = [...resources.providers, ...resources.images, ...resources.containers, ...resources.volumes, ...resources.networks];
    await Promise.all(all.map((r) => new Promise((resolve) => r.id.apply(resolve))));
  });

  const outputOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));
  /** Resources of the gpu-1 host (the other host only shows the start order). */
  const byType = (suffix: string) => registered.filter((r) => r.type.endsWith(suffix) && r.name.startsWith('gpu-1'));

  it('uses one docker provider per host over ssh:// with strict host-key checking', () => {
    const [provider] = byType('pulumi:providers:docker');
    expect(provider?.inputs.host).toBe('ssh://ops@10.20.0.30:2222');
    expect(JSON.parse(String(provider?.inputs.sshOpts))).toEqual([
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile=/home/ops/.pvestack/known_hosts',
    ]);
  });

  it('pins every image (tag or digest) and keeps it on the host', () => {
    expect(byType(':RemoteImage').map((r) => [r.inputs.name, r.inputs.keepLocally])).toEqual([
      ['vllm/vllm-openai:v0.11.0', true],
      ['local/web@sha256:0123456789abcdef', true],
    ]);
  });

  it('retains volumes on delete, named like compose names them', async () => {
    expect(resources.volumes).toHaveLength(1); // the other host's stacks have none
    expect(await outputOf(resources.volumes[0]!.name)).toBe('vllm_models');
    expect(retainOnDelete.get('gpu-1-vllm_models')).toBe(true);
    // Containers and images may be replaced freely; only data is retained.
    expect(retainOnDelete.get('gpu-1-vllm-vllm')).toBeFalsy();
  });

  it('requests the GPUs the compose file reserves, and ipc host', () => {
    const vllm = byType(':Container').find((r) => r.name === 'gpu-1-vllm-vllm')!;
    expect(vllm.inputs.gpus).toBe('device=0,1');
    expect(vllm.inputs.ipcMode).toBe('host');
    expect(byType(':Container').find((r) => r.name === 'gpu-1-vllm-web')!.inputs.gpus).toBeUndefined();
  });

  it('keeps secret values out of plain env: the env list holding one is a Pulumi secret', async () => {
    const vllm = resources.containers.find((c) => (c as unknown as { __name: string }).__name === 'gpu-1-vllm-vllm')!;
    expect(await pulumi.isSecret(vllm.envs)).toBe(true);
    const web = resources.containers.find((c) => (c as unknown as { __name: string }).__name === 'gpu-1-vllm-web')!;
    expect(await pulumi.isSecret(web.envs)).toBe(false);
    expect(await outputOf(web.envs)).toEqual(['PORT=3000']);
    // Nothing registered without the secret wrapper holds the value.
    for (const r of registered.filter((x) => x.type !== 'docker:index/container:Container')) expect(JSON.stringify(r.inputs)).not.toContain(SECRET);
  });

  it('joins the shared external network and ships bind-mounted config files as uploads', () => {
    expect(byType(':Network').map((r) => r.inputs.name)).toEqual(['pvestack-test']);
    const vllm = byType(':Container').find((r) => r.name === 'gpu-1-vllm-vllm')!;
    expect(vllm.inputs.uploads).toEqual([{ file: '/etc/app.conf', content: 'a=1\n' }]);
    expect(vllm.inputs.volumes).toEqual([{ volumeName: 'vllm_models', containerPath: '/models', readOnly: false }]);
    expect(vllm.inputs.healthcheck).toMatchObject({ tests: ['CMD', 'true'], startPeriod: '900s', retries: 5 });
  });

  it("creates containers in the deployer's start order: stacks by stackStartOrder, services after what they depend on", () => {
    // Declared in that order (the engine may register them in any order; dependencies decide).
    const declared = resources.containers.map((c) => (c as unknown as { __name: string }).__name).filter((n) => n.startsWith('db-1'));
    expect(declared).toEqual(['db-1-postgres-db', 'db-1-postgres-cache', 'db-1-postgres-api', 'db-1-app-web']);
    const deps = (name: string) => (dependencies.get(name) ?? []).filter((u) => u.includes('Container')).map((u) => u.split('::').at(-1));
    expect(deps('db-1-postgres-db')).toEqual([]);
    expect(deps('db-1-postgres-cache')).toEqual([]);
    expect(deps('db-1-postgres-api').sort()).toEqual(['db-1-postgres-cache', 'db-1-postgres-db']);
    expect(deps('db-1-app-web').sort()).toEqual(['db-1-postgres-api', 'db-1-postgres-cache', 'db-1-postgres-db']);
  });

  it('passes values as written: compose escapes `$` in its YAML, the container gets the value', () => {
    const vllm = byType(':Container').find((r) => r.name === 'gpu-1-vllm-vllm')!;
    expect(vllm.inputs.command).toEqual(['--model', 'Qwen/Qwen2.5-1.5B-Instruct', '--served-model-name', '$literal']);
  });
});
