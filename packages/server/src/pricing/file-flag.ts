/** `--prices`: a JSON price table (`{ asOf, models: [...] }`) over Spoor's own, read at start (`file-flags.ts` lists it). */
export const pricesFileFlag = { option: 'prices', key: 'pricesFile', flag: '--prices', env: 'SPOOR_PRICES', example: 'prices.json' } as const;
