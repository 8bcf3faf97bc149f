/**
 * Rendering entry points: a validated environment → the `RenderedStack`s each guest runs.
 * Pure (no fs, env, clock or random): the same environment always gives the same bytes.
 *
 * API used by `pvestack render`, `pvestack up` and the SSH deployer (keep it stable):
 * - `renderGuest(env, guest, options?)`: one `RenderedStack` per stack of the guest, in spec order;
 * - `renderEnvironment(env, options?)`: the same for every guest, keyed by guest name;
 * - `sharedNetworkName(env)`: the external Docker network all stacks of a guest join.
 */
import type { Environment, Guest } from '../model';
import { gpusOf, stackNames } from '../model';
import type { RenderedFile, RenderedStack } from './artifacts';
import { envExamplePath, renderEnvExample } from './compose/env-file';
import { renderCompose } from './compose/render-compose';
import { RenderOptions, stackParts } from './stacks';

export type { RenderOptions } from './stacks';

/** The compose file inside every stack's release directory. */
export const COMPOSE_FILE = 'compose.yaml';

/**
 * Co-located stacks share one external network per guest so that, e.g., the app reaches
 * `postgres:5432` by service name on a laptop. Named after the environment, so two environments
 * run side by side on one Docker engine without meeting.
 */
export function sharedNetworkName(env: Environment): string {
  return `pvestack-${env.name}`;
}

// Stack names come from model/stack-names.ts, shared with the deployer and the Ansible host vars.

export function renderGuest(env: Environment, guest: Guest, options: RenderOptions = {}): RenderedStack[] {
  const ctx = { env, guest, gpus: gpusOf(env, guest), options };
  const names = stackNames(guest);
  const network = sharedNetworkName(env);
  const out: RenderedStack[] = [];
  guest.stacks.forEach((stack, i) => {
    const name = names[i]!;
    const parts = stackParts(ctx, stack);
    // Without GPUs, services that still request one cannot start: leave them out.
    const services = options.gpu === false ? parts.services.filter((s) => s.gpus === undefined) : parts.services;
    if (services.length === 0) return;
    const compose = renderCompose({
      services,
      sharedNetwork: network,
      header: [
        `Rendered by pvestack: environment ${env.name}, guest ${guest.name}, stack ${name}.`,
        'Do not edit on the host; change the environment spec.',
        ...(parts.notes ?? []),
      ],
    });
    const files: RenderedFile[] = [
      { path: COMPOSE_FILE, content: compose.text },
      ...parts.files,
      ...compose.secretFiles.map((f) => ({ path: envExamplePath(f), content: renderEnvExample(env, f) })),
    ];
    out.push({
      name,
      composeFile: COMPOSE_FILE,
      guest: guest.name,
      kind: stack.kind,
      files,
      secretFiles: compose.secretFiles,
      services: compose.services,
      externalNetworks: [network],
      ...(parts.endpoints?.length ? { endpoints: parts.endpoints } : {}),
    });
  });
  return out;
}

export function renderEnvironment(env: Environment, options: RenderOptions = {}): Map<string, RenderedStack[]> {
  return new Map(env.guests.map((g) => [g.name, renderGuest(env, g, options)]));
}
