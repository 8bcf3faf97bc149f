/**
 * The Pulumi engine: the same rendered stacks as the SSH deployer, as `@pulumi/docker` resources.
 * One `docker.Provider` per host (`ssh://user@ip:port`), per stack a `Network` (or the guest's
 * shared external one), `Volume`s kept when removed from the program (`retainOnDelete`), per
 * service a pinned `RemoteImage` and a `Container`. Secret values enter only as `pulumi.secret`,
 * so Pulumi encrypts them in state and never prints them; plain env never holds them.
 *
 * Containers start in the deployer's order: a host's stacks in `stackStartOrder` (deploy/plan.ts),
 * each stack's services in the release's start order (`startOrder`, deploy/release.ts). Each
 * container depends on the containers of the services it names in `dependsOn` and on every
 * container of the stacks before its own; with `wait` the provider creates it only once those
 * are healthy, as a deploy's health wait does.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { HostTarget } from '../host-deploy';
import { stackStartOrder } from '../plan';
import { startOrder } from '../release';
import { pulumiStackModel, PulumiService } from './service-model';

/** What the program creates, for tests and for the automation result. */
export interface PulumiResources {
  readonly providers: docker.Provider[];
  readonly images: docker.RemoteImage[];
  readonly containers: docker.Container[];
  readonly volumes: docker.Volume[];
  readonly networks: docker.Network[];
}

/** `ssh://user@host:port`, the Docker host of a deploy target. */
export function dockerHostUrl(t: HostTarget): string {
  return `ssh://${t.endpoint.user}@${t.endpoint.host}:${t.endpoint.port}`;
}

/**
 * Declares every resource of the targets. Call inside a Pulumi program (automation API inline
 * program, or a test with `pulumi.runtime.setMocks`). `secrets` are the values by spec name.
 */
export function definePulumiResources(targets: readonly HostTarget[], secrets: ReadonlyMap<string, string>): PulumiResources {
  const out: PulumiResources = { providers: [], images: [], containers: [], volumes: [], networks: [] };
  for (const t of targets) {
    const provider = new docker.Provider(t.guest, {
      host: dockerHostUrl(t),
      // The SSH client Docker runs must pin host keys as strictly as the SSH deployer does.
      sshOpts: [
        '-o',
        'StrictHostKeyChecking=yes',
        ...(t.endpoint.knownHostsPath ? ['-o', `UserKnownHostsFile=${t.endpoint.knownHostsPath}`] : []),
        ...(t.endpoint.identity ? ['-i', t.endpoint.identity] : []),
      ],
    });
    out.providers.push(provider);
    const opts = { provider };
    const networks = new Map<string, docker.Network>();
    // Containers of the stacks already declared on this host: the next stack waits for them.
    const before: docker.Container[] = [];
    for (const stack of stackStartOrder(t.stacks)) {
      const model = pulumiStackModel(stack);
      let network = networks.get(model.network.name);
      if (!network) {
        network = new docker.Network(`${t.guest}-${model.network.name}`, { name: model.network.name }, opts);
        networks.set(model.network.name, network);
        out.networks.push(network);
      }
      const volumes = new Map<string, docker.Volume>();
      for (const v of model.volumes) {
        const name = `${stack.name}_${v}`;
        const volume = new docker.Volume(`${t.guest}-${name}`, { name }, { ...opts, retainOnDelete: true });
        volumes.set(name, volume);
        out.volumes.push(volume);
      }
      const mine = new Map<string, docker.Container>();
      for (const name of startOrder(stack.services)) {
        const svc = model.services.find((s) => s.name === name)!;
        const needs = (stack.services.find((s) => s.name === name)!.definition.dependsOn ?? []).flatMap((d) => mine.get(d) ?? []);
        const image = new docker.RemoteImage(`${t.guest}-${stack.name}-${svc.name}`, { name: svc.image, keepLocally: true }, opts);
        out.images.push(image);
        const c = container(t, stack.name, svc, image, network, volumes, secrets, { ...opts, dependsOn: [...before, ...needs] });
        mine.set(name, c);
        out.containers.push(c);
      }
      before.push(...mine.values());
    }
  }
  return out;
}

function container(
  t: HostTarget,
  project: string,
  svc: PulumiService,
  image: docker.RemoteImage,
  network: docker.Network,
  volumes: ReadonlyMap<string, docker.Volume>,
  secrets: ReadonlyMap<string, string>,
  opts: pulumi.CustomResourceOptions,
): docker.Container {
  const secretPairs = svc.secretEnv.map((e) => pulumi.secret(`${e.variable}=${secrets.get(e.secret) ?? ''}`));
  // With any secret pair the whole list is secret: Pulumi cannot mark single list items.
  const envs = secretPairs.length ? pulumi.all(secretPairs).apply((pairs) => [...svc.env, ...pairs]) : [...svc.env];
  return new docker.Container(
    `${t.guest}-${project}-${svc.name}`,
    {
      name: `${project}-${svc.name}`,
      image: image.imageId,
      ...(svc.command ? { command: [...svc.command] } : {}),
      ...(svc.entrypoint ? { entrypoints: [...svc.entrypoint] } : {}),
      envs,
      restart: svc.restart,
      init: svc.init,
      ...(svc.ipcMode ? { ipcMode: svc.ipcMode } : {}),
      ...(svc.gpus ? { gpus: svc.gpus } : {}),
      ports: svc.ports.map((p) => ({ internal: p.internal, external: p.external, protocol: p.protocol, ...(p.ip ? { ip: p.ip } : {}) })),
      volumes: [
        ...svc.volumes.map((v) => ({ volumeName: volumes.get(v.volume)?.name ?? v.volume, containerPath: v.containerPath, readOnly: v.readOnly })),
        ...svc.binds.map((b) => ({ hostPath: b.hostPath, containerPath: b.containerPath, readOnly: b.readOnly })),
      ],
      uploads: svc.uploads.map((u) => ({ file: u.file, content: u.content })),
      networksAdvanced: [{ name: network.name, aliases: [svc.name] }],
      labels: [
        { label: 'io.pvestack.stack', value: project },
        { label: 'io.pvestack.service', value: svc.name },
        { label: 'io.pvestack.engine', value: 'pulumi' },
      ],
      ...(svc.healthcheck
        ? {
            healthcheck: {
              tests: [...svc.healthcheck.tests],
              interval: svc.healthcheck.interval,
              timeout: svc.healthcheck.timeout,
              retries: svc.healthcheck.retries,
              startPeriod: svc.healthcheck.startPeriod,
            },
          }
        : {}),
      // Wait for the healthcheck like the SSH deployer does (the provider polls until healthy).
      wait: Boolean(svc.healthcheck),
      waitTimeout: 900,
    },
    opts,
  );
}
