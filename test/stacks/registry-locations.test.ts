/**
 * A mistake in a registered environment (a spec module under stacks/) points into that module
 * like a mistake in a spec given by path. The registered specs are valid, so each case changes the
 * loaded spec object and restores it; a value changed that way is not what the file says, so it
 * must get the file alone, never the line of the literal it replaced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../../model';
import { loadEnvironment, registeredSpec } from '../../stacks/registry';

/** The errors of loading `dev` with its first guest changed by `change`. */
function errorsWith(change: (guest: Record<string, unknown>) => void): InvalidSpecError {
  const guest = (registeredSpec('dev') as { guests: Record<string, unknown>[] }).guests[0]!;
  const saved = { ...guest };
  try {
    change(guest);
    loadEnvironment('dev');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidSpecError);
    return err as InvalidSpecError;
  } finally {
    for (const key of Object.keys(guest)) delete guest[key];
    Object.assign(guest, saved);
  }
  throw new Error('dev loaded with the change');
}

describe('registered environments: spec errors carry the module and line', () => {
  const source = fs.readFileSync(path.join(__dirname, '../../stacks/dev.ts'), 'utf8').split('\n');
  const nameLine = source.findIndex((l) => l.includes("name: 'laptop'"));

  it('points a missing field at the object literal that lacks it', () => {
    const [error] = errorsWith((g) => delete g.role).errors;
    // The guest's object opens on the line before its name.
    expect(source[nameLine - 1]!.trim()).toBe('{');
    expect(error!.location).toBe(`stacks/dev.ts:${nameLine}:5`);
    expect(error!.message).toBe(`stacks/dev.ts:${nameLine}:5: guests[0].role: is required. Add role to a guest.`);
  });

  it('names only the file for a value that differs from the literal written there', () => {
    const [error] = errorsWith((g) => (g.cores = 'two')).errors;
    expect(error!.location).toBe('stacks/dev.ts');
  });

  it('loads the restored spec again', () => {
    expect(loadEnvironment('dev').guests[0]!.role).toBeDefined();
  });
});
