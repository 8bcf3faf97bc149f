/**
 * `--dry-run`: per host, reads what runs (the same probe a deploy runs, without the lock), plans
 * with the deploy's own planner and prints the commands that plan runs, built by the same
 * functions the deployer calls, plus the files of each release (secret values masked). A host
 * that cannot be reached is planned as an empty host, and the output says so.
 */
import { toShell } from './commands';
import { commandOptions, DeployContext, HostTarget, probeHost, refOf } from './host-deploy';
import { finishCommand, lockCommand, planHost, stepCommand } from './plan';
import { stackRelease } from './release';
import { maskedSecretEnvFile, Masker } from './secrets';

export interface PlannedFile {
  readonly path: string;
  readonly mode: string;
  readonly bytes: number;
  readonly secret: boolean;
  /** Secret env files only: `VAR=***` lines. */
  readonly masked?: string;
}

export interface DryRunStack {
  readonly stack: string;
  readonly release: string;
  readonly action: 'unchanged' | 'deploy' | 'repair';
  /** The services the deploy brings to the release. */
  readonly services: readonly string[];
  readonly files: readonly PlannedFile[];
  readonly commands: readonly string[];
}

export interface DryRunHost {
  readonly guest: string;
  readonly address: string;
  /** Why the host could not be read; the plan then assumes an empty host with compose v2. */
  readonly unreachable?: string;
  readonly interrupted?: string;
  readonly stacks: readonly DryRunStack[];
  /** Every command the deploy runs when nothing fails, in order (masked). */
  readonly commands: readonly string[];
}

/** Plans one host as a deploy would, against what it runs now. */
export async function dryRunHost(
  t: HostTarget,
  ctx: Pick<DeployContext, 'secrets' | 'masker' | 'connect' | 'healthTimeoutMs' | 'keepReleases' | 'logLines'>,
): Promise<DryRunHost> {
  const { state, unreachable } = await probeHost(t, ctx);
  const o = commandOptions(t, ctx);
  const releases = t.stacks.map((s) => stackRelease(s, ctx.secrets, state.key));
  const plan = planHost(releases, state);
  const m = (argv: readonly string[]) => ctx.masker.mask(toShell(argv));
  // In the plan's start order, which need not be the spec's.
  const stacks = plan.stacks.map((sp) => ({
    stack: sp.release.stack,
    release: sp.release.id,
    action: sp.action,
    services: sp.services,
    files: sp.release.files.map((f) => {
      const secretFile = f.secret ? t.stacks.find((s) => s.name === sp.release.stack)!.secretFiles.find((s) => s.path === f.path) : undefined;
      return {
        path: f.path,
        mode: f.mode.toString(8).padStart(4, '0'),
        bytes: Buffer.byteLength(f.content),
        secret: f.secret,
        ...(secretFile ? { masked: maskedSecretEnvFile(secretFile) } : {}),
      };
    }),
    commands: sp.steps.map((step) => m(stepCommand(step, sp, plan.flavor, o))),
  }));
  return {
    guest: t.guest,
    address: `${t.endpoint.user}@${t.endpoint.host}:${t.endpoint.port}`,
    ...(unreachable ? { unreachable: ctx.masker.mask(unreachable) } : {}),
    ...(plan.interrupted
      ? {
          interrupted: `an interrupted deploy stopped at step '${plan.interrupted.step}'${plan.interrupted.stack ? ` of ${plan.interrupted.stack}` : ''}; this deploy finishes it`,
        }
      : {}),
    stacks,
    commands: [m(lockCommand(t.stacks.map(refOf), o)), ...stacks.flatMap((s) => s.commands), m(finishCommand(plan, o))],
  };
}

/** The dry run as text for a terminal or CI log. */
export function formatDryRun(hosts: readonly DryRunHost[], masker: Masker): string {
  const out: string[] = [];
  for (const h of hosts) {
    out.push(
      `== ${h.guest} (${h.address})${h.unreachable ? `: not reachable (${h.unreachable.split('\n')[0]}); planned as an empty host with compose v2 (its release ids are keyed with the host's own key, so the real ones differ)` : ''}`,
    );
    if (h.interrupted) out.push(`   ${h.interrupted}`);
    out.push(`  $ ${h.commands[0]}`);
    for (const s of h.stacks) {
      out.push(
        `  -- stack ${s.stack}, release ${s.release}: ${s.action === 'unchanged' ? 'unchanged (runs as released)' : `${s.action}${s.services.length ? `, brings ${s.services.join(', ')} to the release` : ''}`}`,
      );
      if (s.action !== 'unchanged')
        for (const f of s.files)
          out.push(`     file ${f.mode} ${String(f.bytes).padStart(8)} B  ${f.path}${f.masked ? `  [${f.masked.trim().split('\n').join(', ')}]` : ''}`);
      for (const c of s.commands) out.push(`  $ ${c}`);
    }
    out.push(`  $ ${h.commands.at(-1)}`);
    out.push('     (on a failure after the switch, or when stopped: `current` switches back and the previous release is started again)');
  }
  return masker.mask(out.join('\n'));
}
