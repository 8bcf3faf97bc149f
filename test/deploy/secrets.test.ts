import { describe, expect, it } from 'vitest';
import { checkSecretValues, MASK, Masker, maskedSecretEnvFile, parseEnvFile } from '../../deploy/secrets';
import { summaryTable, PlainProgress } from '../../deploy/progress';
import { HealthCheckFailedError, RemoteCommandError, UsageError } from '../../model';

describe('secret values and masking', () => {
  it('masks every value, longest first, in any text', () => {
    const m = new Masker(['abc123', 'abc123-longer', '']);
    expect(m.mask('token=abc123-longer and abc123 again')).toBe(`token=${MASK} and ${MASK} again`);
    expect(m.mask('nothing here')).toBe('nothing here');
  });

  it('masks progress lines and the summary (errors included)', () => {
    const m = new Masker(['hunter2hunter']);
    const lines: string[] = [];
    new PlainProgress(
      m,
      (t) => lines.push(t),
      () => new Date('2026-01-01T00:00:00Z'),
    ).stage('web-1', 'upload', 'value hunter2hunter');
    expect(lines).toEqual(['2026-01-01T00:00:00.000Z web-1 upload value ***\n']);
    const table = summaryTable(
      [
        {
          guest: 'web-1',
          address: '10.0.0.5:22',
          status: 'rolled-back',
          stacks: [{ stack: 'app', status: 'rolled-back', release: 'R1', restarted: ['web'] }],
          error: new HealthCheckFailedError('web-1', 'web', 'password is hunter2hunter'),
          notes: ['saw hunter2hunter'],
          elapsedMs: 1200,
        },
      ],
      m,
    );
    expect(table).toContain('web-1  10.0.0.5:22  rolled-back  app:rolled-back@R1  1.2s');
    expect(table).toContain("service 'web' did not become healthy");
    expect(table).not.toContain('hunter2hunter');
    expect(table).toContain('web-1: saw ***');
  });

  it.each(['{{{{{{{{', '""', 'truetrue', '********', '"},"ok":true,{', 'null,null', '\\u0022xx\\'])(
    '--json stays valid JSON, same structure, with the secret value %j',
    (secret) => {
      const m = new Masker([secret]);
      const report = {
        ok: false,
        hosts: [
          {
            guest: 'web-1',
            status: 'failed',
            notes: [`value ${secret} leaked`],
            error: new HealthCheckFailedError('web-1', 'web', `token=${secret}\nnext line`),
          },
        ],
        [secret]: secret,
      };
      const text = JSON.stringify(m.maskDeep(report));
      const back = JSON.parse(text) as { ok: boolean; hosts: { notes: string[]; error: { logs: string } }[] };
      expect(back.ok).toBe(false);
      expect(back.hosts[0]!.notes).toEqual(['value *** leaked']);
      expect(back.hosts[0]!.error.logs).toBe('token=***\nnext line');
      expect(text).not.toContain(secret);
      expect(Object.keys(back)).toEqual(['ok', 'hosts', MASK]);
    },
  );

  it('refuses secret values shorter than 8 characters, naming the secret and never the value', () => {
    expect(() =>
      checkSecretValues(
        new Map([
          ['api-token', 'x'],
          ['db-password', 'false'],
          ['fine', 'long-enough-value'],
        ]),
      ),
    ).toThrow(UsageError);
    try {
      checkSecretValues(new Map([['api-token', 'x']]));
    } catch (err) {
      expect((err as Error).message).toBe(
        'secret value too short: "api-token" (fewer than 8 characters). Use a generated value (e.g. openssl rand -hex 16): short values are guessable and cannot be masked in output',
      );
    }
    expect(() => checkSecretValues(new Map([['ok', '12345678']]))).not.toThrow();
  });

  it('RemoteCommandError carries the masked argv and stderr it was given', () => {
    const e = new RemoteCommandError('ops@h:22', ['docker', 'login', '-p', MASK], 1, 'denied');
    expect(e.message).toBe('ops@h:22: `docker login -p ***` exited 1:\n    denied');
  });

  it('dry-run shows secret env files with values masked', () => {
    expect(
      maskedSecretEnvFile({
        path: 's/app.env',
        entries: [
          { variable: 'A', secret: 'a' },
          { variable: 'B', secret: 'b' },
        ],
      }),
    ).toBe('A=***\nB=***\n');
  });

  it.each([
    ['A=1', { A: '1' }],
    ['export B="two words"', { B: 'two words' }],
    ["C='x#y'", { C: 'x#y' }],
    ['# comment\n\nD = 4', { D: '4' }],
    ['not a line', {}],
  ])('parses the env file %j', (text, expected) => {
    expect(parseEnvFile(text)).toEqual(expected);
  });
});
