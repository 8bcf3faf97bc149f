/**
 * What `import ... from 'pvestack'` gives a spec file in a team's own infrastructure repository:
 * `defineEnvironment` and the spec's types, nothing that needs Node's own types or the toolkit's
 * heavier modules. The `pvestack` command loads such a spec (through tsx) and validates it.
 */
export { defineEnvironment } from './model/define';
export type * from './model/spec';
