import type { DeclaredShare } from '../shares.js';

/**
 * Exports under way at once, per project and on the server: each holds the engine's temporary
 * files and a share of the store's work until it ends. `config.ts` reads its flag, variable and
 * default from here, `shares.ts` makes it, `routes.ts` takes it before an export starts.
 */
export const exportsShare = {
  name: 'exports',
  option: 'exportsMax',
  flag: '--exports-max',
  env: 'SPOOR_EXPORTS_MAX',
  default: 'project=2,server=4',
  label: 'exports',
  what: 'exports under way',
  retryAfterSeconds: 10,
} as const satisfies DeclaredShare;
