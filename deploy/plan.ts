/**
 * `--dry-run`: per host, the exact commands a first deploy of each stack runs and the files it
 * ships in the release archive (plus `.pvestack-release.json`; secret values masked). Pure: it needs no connection, so what it prints for a host that
 * already runs a release differs only by the skip/rollback branches, which are listed as such.
 */
import {
  acquireLock,
  compose,
  composeUp,
  ensureNetworks,
  prepareUpload,
  pruneReleases,
  readCurrentRelease,
  releaseLock,
  sealRelease,
  serviceHealth,
  switchCurrent,
  toShell,
  uploadRelease,
} from './commands';
import type { HostTarget } from './host-deploy';
import { composeFileOf, releaseFiles, releaseHash, releaseId } from './release';
import { maskedSecretEnvFile, Masker } from './secrets';

export interface PlannedFile {
  readonly path: string;
  readonly mode: string;
  readonly bytes: number;
  readonly secret: boolean;
  /** Secret env files only: `VAR=***` lines. */
  readonly masked?: string;
}

export interface HostPlan {
  readonly guest: string;
  readonly address: string;
  readonly stacks: readonly { readonly stack: string; readonly release: string; readonly files: readonly PlannedFile[]; readonly commands: readonly string[] }[];
  readonly lock: { readonly acquire: string; readonly release: string };
}

/** The plan for one host; `secrets` sizes the env files, `masker` hides any value in commands. */
export function planHost(t: HostTarget, secrets: ReadonlyMap<string, string>, masker: Masker, opts: { holder: string; env: string; commit?: string; now: Date; keepReleases?: number }): HostPlan {
  const root = t.root;
  return {
    guest: t.guest,
    address: `${t.endpoint.user}@${t.endpoint.host}:${t.endpoint.port}`,
    lock: {
      acquire: toShell(acquireLock(root, { holder: opts.holder, since: opts.now.toISOString(), ...(opts.commit ? { commit: opts.commit } : {}), env: opts.env })),
      release: toShell(releaseLock(root)),
    },
    stacks: t.stacks.map((stack) => {
      const files = releaseFiles(stack, secrets);
      const id = releaseId(opts.now, releaseHash(files));
      const base = compose('v2', root, stack.name, stack.name, composeFileOf(stack));
      const commands = [
        readCurrentRelease(root, stack.name),
        prepareUpload(root, stack.name, id),
        uploadRelease(root, stack.name, id),
        sealRelease(root, stack.name, id),
        switchCurrent(root, stack.name, id),
        ...(stack.externalNetworks?.length ? [ensureNetworks(stack.externalNetworks)] : []),
        composeUp(base),
        ...stack.services.map((s) => serviceHealth(stack.name, s.name)),
        pruneReleases(root, stack.name, opts.keepReleases ?? 5),
      ].map((argv) => masker.mask(toShell(argv)));
      return {
        stack: stack.name,
        release: id,
        commands,
        files: files.map((f) => {
          const secretFile = f.secret ? stack.secretFiles.find((s) => s.path === f.path) : undefined;
          return { path: f.path, mode: f.mode.toString(8).padStart(4, '0'), bytes: Buffer.byteLength(f.content), secret: f.secret, ...(secretFile ? { masked: maskedSecretEnvFile(secretFile) } : {}) };
        }),
      };
    }),
  };
}

/** The plan as text for a terminal or CI log. */
export function formatPlan(plans: readonly HostPlan[]): string {
  const out: string[] = [];
  for (const p of plans) {
    out.push(`== ${p.guest} (${p.address})`, `  $ ${p.lock.acquire}`);
    for (const s of p.stacks) {
      out.push(`  -- stack ${s.stack}, release ${s.release} (skipped if the running release has the same content)`);
      for (const f of s.files) out.push(`     file ${f.mode} ${String(f.bytes).padStart(8)} B  ${f.path}${f.masked ? `  [${f.masked.trim().split('\n').join(', ')}]` : ''}`);
      for (const c of s.commands) out.push(`  $ ${c}`);
      out.push('     (services whose definition changed are recreated one at a time first, each waiting for its health; on failure `current` switches back and the previous release is started again)');
    }
    out.push(`  $ ${p.lock.release}`);
  }
  return out.join('\n');
}
