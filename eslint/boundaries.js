/** What the import-boundary blocks are made of (`eslint.config.js`, `feature-folders.js`). */
export const restrict = (...patterns) => [
  'error',
  { patterns: [{ group: ['@spoor/*/*'], message: 'Import packages through their entry point.' }, ...patterns] },
];
export const forbid = (group, message) => ({ group, message });

export const DUCKDB_ONLY_IN_STORE = forbid(['@duckdb/*'], 'Only store/duckdb/ talks to DuckDB.');
