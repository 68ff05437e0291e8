/** `--sampling`: a tail sampling policy file (JSON), for every project or per project, read at start (`file-flags.ts` lists it). */
export const samplingFileFlag = { option: 'sampling', key: 'samplingFile', flag: '--sampling', env: 'SPOOR_SAMPLING_FILE', example: 'sampling.json' } as const;
