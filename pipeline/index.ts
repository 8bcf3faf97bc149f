/**
 * The one pipeline every entry point runs: load → validate → check → synthesize / render. It sits
 * above `stacks/`, `checks/` and `templates/` and below `bin/`, so the CLI verbs and the cdktf app
 * (`bin/app.ts`) share it and none of them can skip a stage silently.
 */
export { loadEnvironments, prepareEnvironments, type EnvironmentSource, type PipelineLog, type PrepareOptions, type PreparedEnvironments } from './prepare';
export { synthesizeApp, type SynthAppOptions, type SynthAppResult, type SynthesizedStack } from './synthesize';
export { artifactsDir, renderArtifacts, writeArtifacts, writeStackFiles, type WrittenArtifacts } from './artifacts';
