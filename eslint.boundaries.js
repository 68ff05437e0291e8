/**
 * What the import boundaries of eslint.config.js are written with, and the boundaries of each
 * feature's part and HTTP routes: the files of a feature's folder that may know HTTP (`fastify`,
 * `http/`) and the answers' schemas of `api/answers/`, where the rest of the folder may not.
 */
export const restrict = (...patterns) => [
  'error',
  { patterns: [{ group: ['@spoor/*/*'], message: 'Import packages through their entry point.' }, ...patterns] },
];
export const forbid = (group, message) => ({ group, message });

export const DUCKDB_ONLY_IN_STORE = forbid(['@duckdb/*'], 'Only store/duckdb/ talks to DuckDB.');
/** A feature's routes (and its part, which gives them) may use the answers' schemas of api/answers/, and nothing else of api/. */
const ANSWERS_ONLY_OF_API = {
  regex: '(^|/)api/(?!answers/)',
  message: "A feature's routes take their answers' schemas from api/answers/; the app registers them, and they import nothing else of api/.",
};
/** Each feature's part and its HTTP routes: the files of a feature folder that may know HTTP (`fastify`, `http/`). */
export const PART_AND_ROUTES = (folder, ...more) =>
  ['part.ts', '*-part.ts', 'routes.ts', '*-routes.ts', ...more].map((file) => `packages/server/src/${folder}/${file}`);

/** Listed after every folder's own rule in eslint.config.js, so these files get these rules instead. */
export const partRouteRules = [
  {
    // Ingest's part, its routes, and what hands a body back in: they hand batches to the queue and reach the quarantine (pipeline/).
    files: PART_AND_ROUTES('ingest', 'resubmit.ts'),
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/query/**', '**/store/**', '**/dbthread/**', '**/serve/**'],
          "ingest/'s part and routes reach the store through the database thread's calls only.",
        ),
        ANSWERS_ONLY_OF_API,
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    // Auth's part (keys, sign-in, the access check, started) and its routes (keys, the audit log, the session, single sign-on).
    files: PART_AND_ROUTES('auth', 'oidc-pages.ts'),
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/pipeline/**', '**/query/**', '**/quality/**', '**/sampling/**', '**/live/**', '**/dbthread/**', '**/serve/**', '**/store/**'],
          "auth/'s part and routes reach the keys through access's calls on the database thread (db-calls.ts) only.",
        ),
        { regex: '(^|/)ingest/(?!export\\.js$)', message: 'auth/ shares only the back-pressure log limiter of ingest/ (export.ts).' },
        ANSWERS_ONLY_OF_API,
      ),
    },
  },
  {
    files: PART_AND_ROUTES('pricing'),
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/ingest/**', '**/pipeline/**', '**/query/**', '**/dbthread/**', '**/serve/**', '**/store/**'],
          "pricing/'s part and routes reach the prices through pricing's calls on the database thread (db-calls.ts) only.",
        ),
        ANSWERS_ONLY_OF_API,
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: PART_AND_ROUTES('live'),
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/ingest/**', '**/pipeline/**', '**/quality/**', '**/sampling/**', '**/dbthread/**', '**/serve/**', '**/store/**'],
          "live/'s part and routes stream what its reads find: they know neither how data arrives nor the store.",
        ),
        ANSWERS_ONLY_OF_API,
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: PART_AND_ROUTES('mcp'),
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/serve/**', '**/store/**', '**/dbthread/**', '**/pipeline/**', '**/ingest/**', '**/live/**', '**/quality/**', '**/sampling/**'],
          "mcp/'s route reads Spoor through the REST API only (api-caller.ts).",
        ),
        ANSWERS_ONLY_OF_API,
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
];
