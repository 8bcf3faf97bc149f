/** Every built-in rule, in report order of families. */
import type { Rule } from '../types';
import { ADDRESSING_RULES } from './addressing';
import { CAPACITY_RULES } from './capacity';
import { DATA_SAFETY_RULES } from './data-safety';
import { FIREWALL_RULES } from './firewall';
import { GPU_RULES } from './gpu';
import { HOST_RULES } from './host';
import { MODEL_FIT_RULES } from './model-fit';
import { SECRET_RULES } from './secrets';

export const ALL_RULES: readonly Rule[] = [
  ...CAPACITY_RULES,
  ...GPU_RULES,
  ...MODEL_FIT_RULES,
  ...ADDRESSING_RULES,
  ...FIREWALL_RULES,
  ...SECRET_RULES,
  ...DATA_SAFETY_RULES,
  ...HOST_RULES,
];

export { ADDRESSING_RULES, CAPACITY_RULES, DATA_SAFETY_RULES, FIREWALL_RULES, GPU_RULES, HOST_RULES, MODEL_FIT_RULES, SECRET_RULES };
