import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../stacks/registry';
import { hbaSources } from '../../../templates/postgres/pg-hba';
import { testEnvironment } from '../fixtures';

describe('pg_hba sources from the firewall intent', () => {
  it('admits exactly the guests allowed to reach the database port', () => {
    const env = loadEnvironment('production');
    expect(
      hbaSources(
        env,
        env.guests.find((g) => g.name === 'db')!,
        5432,
      ).map((s) => s.address),
    ).toEqual(['10.20.0.11/32', '10.20.0.12/32', '10.20.0.40/32']);
  });

  it('expands admin and cidr sources, and ignores other ports', () => {
    const env = testEnvironment([{ name: 'db', role: 'db' }, { name: 'web' }], {
      connections: [
        { from: ['admin', 'cidr:192.0.2.0/28'], to: 'db', ports: 'tcp/5432' },
        { from: 'web', to: 'db', ports: 'tcp/6379' },
      ],
    });
    expect(hbaSources(env, env.guests[0]!, 5432).map((s) => s.address)).toEqual(['10.9.0.0/24', '192.0.2.0/28']);
  });
});
