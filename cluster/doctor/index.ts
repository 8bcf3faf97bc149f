export { runDoctor } from './engine';
export { doctor, type DoctorOptions } from './run';
export { DOCTOR_RULES } from './rules';
export type { DoctorContext, DoctorRule } from './types';
