/**
 * One size of the scaling benchmark in a fresh process (bench/parts/scaling.ts starts it):
 * `scaling-child.ts <guests> <runs> [keep]` prints the measured row as JSON on stdout.
 */
import { measureSize } from './scaling';

const [guests, runs, keep] = process.argv.slice(2);
process.stdout.write(JSON.stringify(measureSize(Number(guests), Number(runs), keep === 'keep')));
