import { describe, expect, it } from 'vitest';
import { resolveSecretValues, renderSecretEnvFile } from '../../../templates/compose/env-file';
import { testEnvironment } from '../fixtures';

const file = {
  path: 'secrets/app.env',
  entries: [
    { variable: 'DB_PASSWORD', secret: 'db-password' },
    { variable: 'REDIS_PASSWORD', secret: 'redis-password' },
  ],
};

describe('secret env files', () => {
  const env = testEnvironment([]);

  it('resolves values from the named variables and lists every missing one at once', () => {
    expect(() => resolveSecretValues(env, [file], {})).toThrow(/T_DB_PASSWORD.*T_REDIS_PASSWORD/);
    expect([...resolveSecretValues(env, [file], { T_DB_PASSWORD: 'a', T_REDIS_PASSWORD: 'b' })]).toEqual([
      ['db-password', 'a'],
      ['redis-password', 'b'],
    ]);
  });

  it.each([
    ['plain', 'abc-123_x.y', 'DB_PASSWORD=abc-123_x.y'],
    ['dollar, space and hash are single-quoted', 'a$b c#d', "DB_PASSWORD='a$b c#d'"],
    ['quotes and backslashes escaped', "it's\\x", "DB_PASSWORD='it\\'s\\\\x'"],
  ])('%s', (_n, value, line) => {
    expect(
      renderSecretEnvFile(
        file,
        new Map([
          ['db-password', value],
          ['redis-password', 'r'],
        ]),
      ).split('\n')[0],
    ).toBe(line);
  });

  it('rejects line breaks', () => {
    expect(() =>
      renderSecretEnvFile(
        file,
        new Map([
          ['db-password', 'a\nb'],
          ['redis-password', 'r'],
        ]),
      ),
    ).toThrow(/line break/);
  });
});
