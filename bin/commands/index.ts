/** Every CLI verb, each registering itself with commander from its own file. */
import type { Command } from 'commander';
import { register as list } from './list';
import { register as synth } from './synth';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [list, synth];
