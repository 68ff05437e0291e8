/** `--evaluators`: an evaluators file (YAML) for the default project, read at start (`file-flags.ts` lists it). */
export const evaluatorsFileFlag = {
  option: 'evaluators',
  key: 'evaluatorsFile',
  flag: '--evaluators',
  env: 'SPOOR_EVALUATORS',
  example: 'evaluators.yaml',
} as const;
