import { DUCKDB_ONLY_IN_STORE, PART_AND_ROUTES, featureRules as feature, forbid } from './boundaries.js';

/**
 * The import boundaries of the features whose part (and routes) this folder's files give: ingest,
 * auth, pricing, live, MCP. Each folder's core keeps its rule; its part and routes may speak HTTP
 * (`fastify`, `http/`), declare their answers in their own folder (the shared pieces in `http/answers/`), and take what earlier parts gave.
 * Read by eslint.config.js.
 */
export function partBoundaries() {
  const ENGINES = ['**/store/duckdb/**', '**/store/clickhouse/**'];
  return [
    ...feature('ingest', {
      testsToo: true,
      core: [
        forbid(
          ['**/query/**', '**/api/**', '**/store/duckdb/**', '**/pipeline/**', 'fastify'],
          'ingest/ decodes and hands batches on; it does not read or know the store adapter, nor HTTP (its routes are routes.ts and *-routes.ts).',
        ),
        DUCKDB_ONLY_IN_STORE,
      ],
      // What hands a body back in (a quarantined entry, a judge's call) hands it to the queue, as the part does.
      doorFiles: PART_AND_ROUTES('ingest', 'resubmit.ts'),
      door: [
        forbid(
          ['**/query/**', '**/store/**', '**/dbthread/**', '**/serve/**'],
          "ingest/'s part and routes hand batches to the queue (pipeline/) and reach the store through the database thread's calls only.",
        ),
      ],
    }),
    ...feature('auth', {
      core: [
        forbid(
          [
            '**/api/**',
            '**/ingest/**',
            '**/pipeline/**',
            '**/query/**',
            '**/quality/**',
            '**/sampling/**',
            '**/live/**',
            '**/dbthread/**',
            '**/serve/**',
            'fastify',
          ],
          'auth/ decides who may do what from keys, roles and sign-ins it is handed: it knows neither routes nor storage (its part and routes do).',
        ),
        {
          regex: '(^|/)store/(?!ports/access\\.js$)',
          message: 'auth/ knows storage only as the access port, whose calls it serves on the database thread (db-calls.ts).',
        },
      ],
      doorFiles: PART_AND_ROUTES('auth', 'oidc-pages.ts'),
      door: [
        forbid(
          ['**/pipeline/**', '**/query/**', '**/quality/**', '**/sampling/**', '**/live/**', '**/dbthread/**', '**/serve/**', '**/store/**'],
          "auth/'s part and routes reach the keys through access's calls on the database thread (db-calls.ts) only.",
        ),
        { regex: '(^|/)ingest/(?!export\\.js$)', message: "auth/ shares only ingest/'s limiter of repeated log lines (export.ts)." },
      ],
    }),
    ...feature('pricing', {
      core: [
        forbid(
          ['**/api/**', '**/ingest/**', '**/pipeline/**', '**/query/**', '**/dbthread/**', '**/serve/**', ...ENGINES, 'fastify'],
          'pricing/ keeps price books over the store port.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ],
      door: [
        forbid(
          ['**/ingest/**', '**/pipeline/**', '**/query/**', '**/serve/**', '**/store/**'],
          "pricing/'s part and routes reach the prices through pricing's calls on the database thread (db-calls.ts) only.",
        ),
        {
          regex: '(^|/)dbthread/(?!answer-types\\.js$)',
          message: "pricing/'s part and routes know the database thread only by what its calls answer (dbthread/answer-types.ts).",
        },
      ],
    }),
    ...feature('live', {
      core: [
        forbid(
          ['**/api/**', '**/ingest/**', '**/pipeline/**', '**/quality/**', '**/sampling/**', '**/dbthread/**', '**/serve/**', ...ENGINES, 'fastify'],
          'live/ turns commits into streams through the reads it is handed: it knows neither how data arrives nor HTTP (its part and routes do).',
        ),
        DUCKDB_ONLY_IN_STORE,
      ],
      door: [
        forbid(
          ['**/ingest/**', '**/pipeline/**', '**/quality/**', '**/sampling/**', '**/dbthread/**', '**/serve/**', '**/store/**'],
          "live/'s part and routes stream what its reads find: they know neither how data arrives nor the store.",
        ),
      ],
    }),
    // MCP: its tools read through the REST API only (an app of `createApp`, in process or over HTTP), whose parameters they share through params/.
    ...feature('mcp', {
      core: [
        forbid(
          ['**/api/**', '**/serve/**', '**/store/**', '**/dbthread/**', '**/pipeline/**', '**/ingest/**', '**/live/**', '**/quality/**', '**/sampling/**'],
          'mcp/ tools read Spoor through the REST API (api-caller.ts), so a key sees through MCP what it sees through the API, nothing more; ' +
            'the app they read is built by serve/.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ],
      door: [
        forbid(
          ['**/serve/**', '**/store/**', '**/dbthread/**', '**/pipeline/**', '**/ingest/**', '**/live/**', '**/quality/**', '**/sampling/**'],
          "mcp/'s route reads Spoor through the REST API only (api-caller.ts).",
        ),
      ],
    }),
  ];
}
