/** `--mask`: a masking policy file (JSON) applied at ingest, read at start (`file-flags.ts` lists it). */
export const maskFileFlag = { option: 'mask', key: 'maskFile', flag: '--mask', env: 'SPOOR_MASK_FILE', example: 'policy.json' } as const;
