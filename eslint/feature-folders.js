import { DUCKDB_ONLY_IN_STORE, forbid, restrict } from './boundaries.js';

/** The import boundaries of the server's feature folders that hold all of a feature: its part, routes and calls. */
export const featureFolders = [
  {
    // Export, all of it: streams of the store's export port (its calls on the database thread) and
    // its route, which the composition root registers (api/app.ts, dbthread/calls.ts).
    files: ['packages/server/src/export/**'],
    // `spoor export` opens a store the way every command does (cli/ below).
    ignores: ['**/*.test.ts', 'packages/server/src/export/cli.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/serve/**', '**/dbthread/**'],
          'export/ is registered by the composition root; it imports neither it nor the other routes (shared HTTP helpers are in http/).',
        ),
        forbid(['**/ingest/**', '**/pipeline/**', '**/store/duckdb/**', '**/store/clickhouse/**'], "export/ reads through the store's export port only."),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    // The Prometheus query API: the alert language evaluated over the alert engine's series reads
    // (its calls on the database thread); registered by the composition root.
    files: ['packages/server/src/promql/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(['**/api/**', '**/serve/**', '**/dbthread/**'], 'promql/ is registered by the composition root; it imports neither it nor the other routes.'),
        forbid(['**/ingest/**', '**/pipeline/**', '**/store/**'], "promql/ reads through the alert engine's series calls only."),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
];
