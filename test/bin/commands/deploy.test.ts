import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = path.join(__dirname, '..', '..', '..', 'bin', 'pvestack.js');
const SECRET = 'dry-run-secret-value-42';

function pvestack(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pvestack deploy (CLI, no hosts contacted)', () => {
  it('--dry-run --json lists per host the commands and files, secret values masked', () => {
    const r = pvestack(['deploy', 'dev', '--dry-run', '--json'], { PVESTACK_POSTGRES_PASSWORD: SECRET });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      dryRun: boolean;
      hosts: { guest: string; stacks: { stack: string; commands: string[]; files: { path: string; mode: string; secret: boolean; masked?: string }[] }[] }[];
    };
    expect(out.dryRun).toBe(true);
    expect(out.hosts.length).toBeGreaterThan(0);
    const stacks = out.hosts.flatMap((h) => h.stacks);
    const secretFiles = stacks.flatMap((s) => s.files.filter((f) => f.secret));
    expect(secretFiles.length).toBeGreaterThan(0);
    for (const f of secretFiles) {
      expect(f.mode).toBe('0600');
      expect(f.masked).toMatch(/^([A-Z_]+=\*\*\*\n)+$/);
    }
    for (const s of stacks) {
      expect(s.commands.some((c) => c.includes('up -d --remove-orphans'))).toBe(true);
      expect(s.commands.join('\n')).not.toMatch(/down -v|system prune/);
    }
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a 1-character secret is refused before any host is touched, naming the secret and not the value', () => {
    const r = pvestack(['deploy', 'dev', '--only', 'postgres'], { PVESTACK_POSTGRES_PASSWORD: 'Q' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('secret value too short: "postgres-password" (fewer than 8 characters)');
    expect(r.stderr).not.toMatch(/connect|refused/);
  });

  it.each(['{{{{{{{{', '""""""""""', 'truetruetrue', '********', '{"a":true}'])(
    '--json stays valid JSON with the secret value %j',
    (value) => {
      const r = pvestack(['deploy', 'dev', '--only', 'postgres', '--dry-run', '--json'], { PVESTACK_POSTGRES_PASSWORD: value });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { dryRun: boolean; hosts: { stacks: { files: { secret: boolean; masked?: string }[] }[] }[] };
      expect(out.dryRun).toBe(true);
      // The server's env file and the exporter's (its connection password is the same secret).
      const masked = out.hosts[0]!.stacks[0]!.files.filter((f) => f.secret).map((f) => f.masked);
      expect(masked.sort()).toEqual(['DATA_SOURCE_PASS=***\n', 'POSTGRES_PASSWORD=***\n']);
      expect(r.stdout).not.toContain(value);
    },
    30_000,
  );

  it('an unknown --only name is a usage error (exit 2) naming the choices', () => {
    const r = pvestack(['deploy', 'dev', '--dry-run', '--only', 'no-such-thing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--only no-such-thing: no guest with stacks or stack of that name in dev\. Choose from: /);
  });

  it('a real deploy without the secret values stops before any host, naming the variables', () => {
    const r = pvestack(['deploy', 'dev', '--only', 'postgres'], { PVESTACK_POSTGRES_PASSWORD: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing secret value: PVESTACK_POSTGRES_PASSWORD');
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v pulumi']).status === 0)(
    '--engine pulumi without the pulumi CLI fails with how to install it',
    () => {
      const r = pvestack(['deploy', 'dev', '--only', 'postgres', '--engine', 'pulumi'], { PVESTACK_POSTGRES_PASSWORD: SECRET });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--engine pulumi needs the pulumi CLI, which is not installed');
      expect(r.stderr).toContain('get.pulumi.com');
    },
    30_000,
  );

  it('lock requires an existing guest', () => {
    const r = pvestack(['lock', 'status', 'dev', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no guest named "nope" in dev');
  });
});
