/** What the import-boundary blocks are made of (`eslint.config.js`, `feature-folders.js`). */
export const restrict = (...patterns) => [
  'error',
  { patterns: [{ group: ['@spoor/*/*'], message: 'Import packages through their entry point.' }, ...patterns] },
];
export const forbid = (group, message) => ({ group, message });

export const DUCKDB_ONLY_IN_STORE = forbid(['@duckdb/*'], 'Only store/duckdb/ talks to DuckDB.');

/** A feature's routes (and its part, which gives them) import nothing of api/: the app registers them, and what routes share is in http/. */
export const NOTHING_OF_API = {
  regex: '(^|/)api/',
  message: "A feature's routes are registered by the app and import nothing of api/: what routes share (answers' schemas included) is in http/.",
};
/** Each feature's part, its HTTP routes and their answers' schemas: the files of a feature folder that may know HTTP (`fastify`, `http/`). */
export const PART_AND_ROUTES = (folder, ...more) =>
  ['part.ts', '*-part.ts', 'routes.ts', '*-routes.ts', 'answers.ts', 'answers/*.ts', ...more].map((file) => `packages/server/src/${folder}/${file}`);

/**
 * A feature folder's two blocks: its core under `core` (tests too when `testsToo`), then its part,
 * routes and answers (`doorFiles`) under `door`, which also import nothing of api/ and no DuckDB.
 */
export const featureRules = (folder, { core, door, doorFiles = PART_AND_ROUTES(folder), testsToo = false }) => [
  {
    files: [`packages/server/src/${folder}/**`],
    ignores: [...(testsToo ? [] : ['**/*.test.ts']), ...doorFiles],
    rules: { 'no-restricted-imports': restrict(...core) },
  },
  { files: doorFiles, rules: { 'no-restricted-imports': restrict(...door, NOTHING_OF_API, DUCKDB_ONLY_IN_STORE) } },
];
