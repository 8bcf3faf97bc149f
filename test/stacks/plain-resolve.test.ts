/**
 * PlatformStack's toTerraform resolves token-free values by a plain walk (stacks/plain-resolve.ts)
 * instead of cdktf's generic resolve: the JSON must be the same, key order included, for every
 * environment, and for every kind of token cdktf knows, including the errors it raises.
 */
import { Fn, Lazy, TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { testingApp } from '../support/testing-app';
import { describe, expect, it } from 'vitest';
import { generateEnvironment } from '../../bench/generate-environment';
import { validateEnvironment, type Environment } from '../../model';
import { PlatformStack } from '../../stacks/platform-stack';
import { withPlainResolve } from '../../stacks/plain-resolve';
import { environmentNames, isBrokenOnPurpose, loadEnvironment } from '../../stacks/registry';

const tokens = require('cdktf/lib/_tokens') as { resolve: (scope: unknown, obj: unknown, preparing?: boolean) => unknown };

/** cdktf's own toTerraform and PlatformStack's, as JSON text (key order counts). */
function bothWays(env: Environment): { generic: string; plain: string } {
  const stack = new PlatformStack(testingApp(), { env });
  const generic = JSON.stringify(TerraformStack.prototype.toTerraform.call(stack));
  const plain = JSON.stringify(stack.toTerraform());
  return { generic, plain };
}

/** The outcome of resolving `obj` in `scope`: the JSON text of the value, or the error's message. */
function outcome(scope: TerraformStack, obj: unknown): string {
  try {
    return `value ${JSON.stringify(tokens.resolve(scope, obj))}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

const synthesizable = environmentNames({ includeBroken: true }).filter((name) => {
  if (!isBrokenOnPurpose(name)) return true;
  try {
    bothWays(loadEnvironment(name));
    return true;
  } catch {
    return false;
  }
});

describe('PlatformStack.toTerraform with the plain resolve', () => {
  it.each(synthesizable)('gives the JSON of cdktf’s generic resolve for %s', (name) => {
    const { generic, plain } = bothWays(loadEnvironment(name));
    expect(plain).toBe(generic);
  });

  it('gives the JSON of cdktf’s generic resolve for a generated 100-guest environment', () => {
    const { generic, plain } = bothWays(validateEnvironment(generateEnvironment(100), 'generated-100'));
    expect(plain.length).toBeGreaterThan(100_000);
    expect(plain).toBe(generic);
  });

  it('leaves cdktf’s resolve as it was after the stack is done, also when resolving throws', () => {
    const before = tokens.resolve;
    withPlainResolve(() => expect(tokens.resolve).not.toBe(before));
    expect(tokens.resolve).toBe(before);
    expect(() =>
      withPlainResolve(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tokens.resolve).toBe(before);
  });
});

describe('plain resolve against cdktf’s resolve, value by value', () => {
  const stack = new TerraformStack(testingApp(), 'values');
  const variable = new TerraformVariable(stack, 'v', { type: 'string' });
  const listVariable = new TerraformVariable(stack, 'l', { type: 'list(string)' });
  new TerraformOutput(stack, 'o', { value: variable.stringValue });
  let deep: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < 205; i++) deep = { next: deep };
  const cases: Record<string, unknown> = {
    'plain scalars, null, Date, nested': { a: 'x', b: 1, c: true, d: null, e: new Date(0), f: [1, 'two', [false]], g: {} },
    'undefined dropped from objects and arrays': { a: undefined, b: [1, undefined, 2], c: { d: undefined } },
    'a string token': { name: variable.stringValue, mixed: `pre-${variable.stringValue}-post` },
    'a number token': { n: variable.numberValue, s: `${Token.asString(variable.numberValue)}x` },
    'a list token': { l: listVariable.listValue, inner: [listVariable.listValue] },
    'a lazy value': { lazy: Lazy.stringValue({ produce: () => 'made' }), lazyAny: Lazy.anyValue({ produce: () => ({ k: [1, undefined, 'v'] }) }) },
    'an IResolvable in an array': [Lazy.anyValue({ produce: () => 'a' }), 'b'],
    'a token as a map key': { [variable.stringValue]: 'value' },
    'a function call': { joined: Fn.join(',', ['a', variable.stringValue]) },
    'strings cdktf scans for encoded numbers': { a: 'node-e-1', b: '1e5', c: '2.5e-3', k: { '1e9': 'key' } },
    'escapes and markers that are no tokens': { a: '$${not.a.token}', b: '${TfToken[NOPE]}', c: 'a}b{c' },
    'map-token sentinels': { s: Token.STRING_MAP_TOKEN_VALUE },
    'a number map-token sentinel': { n: Token.NUMBER_MAP_TOKEN_VALUE },
    'a function value': { f: () => 1 },
    'a construct value': { c: stack },
    'a path deeper than cdktf allows': deep,
  };

  it.each(Object.keys(cases))('%s', (name) => {
    const value = cases[name];
    const generic = outcome(stack, value);
    const plain = withPlainResolve(() => outcome(stack, value));
    expect(plain).toBe(generic);
  });
});
