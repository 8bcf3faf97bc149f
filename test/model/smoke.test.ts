import { describe, expect, it } from 'vitest';
import { environmentNames, loadEnvironment } from '../../stacks/registry';

describe('registered environments', () => {
  it.each(environmentNames())('%s validates', (name) => {
    const env = loadEnvironment(name);
    expect(env.name).toBe(name);
  });
});
