/**
 * Every CLI verb, each registering itself with commander from its own file.
 *
 * Every command (and `--help`) loads all verb files, so a verb file imports at its top only what
 * registering needs (commander, ../command, small pure modules) and loads the rest inside its
 * action, where it runs only for that verb:
 *   const { synthesizeApp } = require('../../pipeline/synthesize') as typeof import('../../pipeline/synthesize');
 * test/bin/lazy-loading.test.ts fails when registering loads cdktf, the bindings, SSH, deploy,
 * diff, the checks or the specs.
 */
import type { Command } from 'commander';
import { register as ansible } from './ansible';
import { register as backup } from './backup';
import { register as check } from './check';
import { register as deploy } from './deploy';
import { register as diff } from './diff';
import { register as discover } from './discover';
import { register as doctor } from './doctor';
import { register as down } from './down';
import { register as graph } from './graph';
import { register as importGuests } from './import';
import { register as init } from './init';
import { register as inventory } from './inventory';
import { register as list } from './list';
import { register as lock } from './lock';
import { register as render } from './render';
import { register as synth } from './synth';
import { register as up } from './up';
import { register as validate } from './validate';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  init,
  list,
  synth,
  validate,
  check,
  diff,
  graph,
  inventory,
  ansible,
  render,
  up,
  down,
  deploy,
  lock,
  backup,
  doctor,
  discover,
  importGuests,
];
