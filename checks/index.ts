export { runChecks, ruleCatalog, compareFindings, SUPPRESSION_RULES, type CheckOptions } from './engine';
export { formatReportText, verdictLine, reportJson, checkResultJson, findingJson, CHECK_JSON_VERSION, type TextOptions } from './report';
export { ALL_RULES } from './rules';
export * from './types';
export { loadSynthesized, type SynthesizedOutput, type SynthesizedFile } from './synthesized';
export { findSecret, looksRandom } from './secret-patterns';
export { MODEL_FACTS, modelFactsFor, type KnownModelFacts } from './model-facts';
export * from './vllm-fit';
export { CheckFailedError } from './errors';
