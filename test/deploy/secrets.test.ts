import { describe, expect, it } from 'vitest';
import { MASK, Masker, maskedSecretEnvFile, parseEnvFile } from '../../deploy/secrets';
import { summaryTable, PlainProgress } from '../../deploy/progress';
import { HealthCheckFailedError, RemoteCommandError } from '../../model';

describe('secret values and masking', () => {
  it('masks every value, longest first, in any text', () => {
    const m = new Masker(['abc123', 'abc123-longer', '']);
    expect(m.mask('token=abc123-longer and abc123 again')).toBe(`token=${MASK} and ${MASK} again`);
    expect(m.mask('nothing here')).toBe('nothing here');
  });

  it('masks progress lines and the summary (errors included)', () => {
    const m = new Masker(['hunter2hunter']);
    const lines: string[] = [];
    new PlainProgress(m, (t) => lines.push(t), () => new Date('2026-01-01T00:00:00Z')).stage('web-1', 'upload', 'value hunter2hunter');
    expect(lines).toEqual(['2026-01-01T00:00:00.000Z web-1 upload value ***\n']);
    const table = summaryTable(
      [{ guest: 'web-1', address: '10.0.0.5:22', status: 'rolled-back', stacks: [{ stack: 'app', status: 'rolled-back', release: 'R1', restarted: ['web'] }], error: new HealthCheckFailedError('web-1', 'web', 'password is hunter2hunter'), elapsedMs: 1200 }],
      m,
    );
    expect(table).toContain('web-1  10.0.0.5:22  rolled-back  app:rolled-back@R1  1.2s');
    expect(table).toContain("service 'web' did not become healthy");
    expect(table).not.toContain('hunter2hunter');
  });

  it('RemoteCommandError carries the masked argv and stderr it was given', () => {
    const e = new RemoteCommandError('ops@h:22', ['docker', 'login', '-p', MASK], 1, 'denied');
    expect(e.message).toBe('ops@h:22: `docker login -p ***` exited 1:\n    denied');
  });

  it('dry-run shows secret env files with values masked', () => {
    expect(maskedSecretEnvFile({ path: 's/app.env', entries: [{ variable: 'A', secret: 'a' }, { variable: 'B', secret: 'b' }] })).toBe('A=***\nB=***\n');
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
