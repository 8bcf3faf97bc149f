/** Every doctor rule, in report order. */
import type { DoctorRule } from '../types';
import { ACCESS_RULES } from './access';
import { GPU_RULES } from './gpus';
import { GUEST_RULES } from './guests';
import { NODE_RULES } from './nodes';
import { STORAGE_RULES } from './storage';

export const DOCTOR_RULES: readonly DoctorRule[] = [...NODE_RULES, ...GPU_RULES, ...STORAGE_RULES, ...GUEST_RULES, ...ACCESS_RULES];

export { ACCESS_RULES, GPU_RULES, GUEST_RULES, NODE_RULES, STORAGE_RULES };
