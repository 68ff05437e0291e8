import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { DUCKDB_ONLY_IN_STORE, forbid, restrict } from './eslint/boundaries.js';
import { featureFolders } from './eslint/feature-folders.js';
import { featureBoundaries } from './eslint/features.js';
import { partBoundaries } from './eslint/parts.js';

/**
 * Lint, and the import boundaries of DESIGN.md: a rule here fails `npm test` when, say, `query/`
 * imports `ingest/`, or the browser-safe model imports Node.
 */
/**
 * Comments say why the code is as it is; which issue, helper or area of work brought it is the
 * commit log's to say, and means nothing to a reader.
 */
const HISTORY_IN_COMMENT = /\b(?:[Ii]ssue|[Hh]elper|[Aa]rea)\s+#?(?:\d+|[A-Z]\d?\b)/;
const spoor = {
  rules: {
    'no-history-comments': {
      meta: { type: 'suggestion', schema: [], messages: { history: 'A comment cites the history of the work ({{ text }}): say why instead.' } },
      create(context) {
        return {
          Program() {
            for (const comment of context.sourceCode.getAllComments()) {
              const found = HISTORY_IN_COMMENT.exec(comment.value);
              if (found !== null) context.report({ loc: comment.loc, messageId: 'history', data: { text: found[0] } });
            }
          },
        };
      },
    },
  },
};

const config = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', '**/scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setImmediate: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
    plugins: { spoor },
    rules: {
      'spoor/no-history-comments': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-restricted-imports': restrict(),
    },
  },
  {
    files: ['packages/model/src/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(['node:*', 'fastify', '@duckdb/*', '@opentelemetry/*', '@spoor/*'], 'The model is pure, browser-safe TypeScript with no dependencies.'),
      ),
    },
  },
  {
    files: ['packages/sdk/src/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['fastify', '@duckdb/*', 'react', 'react-dom', '@spoor/server', '**/server/src/**'],
          'The SDK is what apps import: light, never the server, its store or the UI.',
        ),
      ),
    },
  },
  {
    files: ['packages/web/src/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['node:*', 'fastify', '@duckdb/*', '@opentelemetry/*', '@spoor/server', '@spoor/sdk', '**/server/src/**'],
          'The web UI runs in the browser and talks to the server only through the REST API.',
        ),
      ),
    },
  },
  {
    files: ['packages/server/src/normalize/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(['node:*', '**/ingest/**', '**/store/**', '**/api/**', '**/pipeline/**', '**/query/**'], 'normalize/ is pure: records in, records out, no I/O.'),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/store/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/ingest/**', '**/api/**', '**/query/**', '**/pipeline/**', '**/normalize/**', 'fastify'],
          'store/ speaks @spoor/model only; wire and HTTP types stay out.',
        ),
      ),
    },
  },
  {
    files: ['packages/server/src/query/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/ingest/**', '**/api/**', '**/pipeline/**', '**/live/**', '**/store/duckdb/**', 'fastify'],
          'query/ reads through the Store port only; live/ builds on it.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/pipeline/**'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(['**/ingest/**', '**/api/**', '**/query/**', '**/store/duckdb/**', 'fastify'], 'pipeline/ moves batches to the Store port.'),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  ...featureBoundaries(),
  ...partBoundaries(),
  {
    files: ['packages/server/src/dbthread/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(forbid(['**/api/**', 'fastify'], 'dbthread/ serves the registry of calls; HTTP stays in api/.'), DUCKDB_ONLY_IN_STORE),
    },
  },
  {
    files: ['packages/server/src/threads/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/store/**', '**/pipeline/**', '**/query/**', '**/ingest/**', '**/dbthread/**', 'fastify'],
          'threads/ is how threads talk, whatever they serve: each thread declares its protocol beside it (dbthread/protocol.ts, ingest/decode-protocol.ts).',
        ),
      ),
    },
  },
  {
    files: ['packages/server/src/api/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/store/**', '**/pipeline/**', '**/dbthread/db-*', '**/serve/**'],
          'api/ parses requests into model and query types and calls the database thread through its typed client (dbthread/calls.ts); it never reaches the store or the spool.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/forward/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/query/**', '**/store/**', '**/dbthread/**', 'fastify'],
          'forward/ follows the spool and sends on what ingest/ prepares: it knows neither the store nor HTTP requests.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  // The folders that hold all of a feature, each registered by the composition root.
  ...featureFolders,
  {
    // The flow map, all of it: the fold over the store's flow port (its calls on the database thread) and its routes,
    // which the composition root registers (serve/server.ts, dbthread/calls.ts).
    files: ['packages/server/src/flows/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/serve/**', '**/dbthread/**'],
          'flows/ is registered by the composition root; it imports neither it nor the other routes (shared HTTP helpers are in http/).',
        ),
        forbid(['**/ingest/**', '**/pipeline/**', '**/store/duckdb/**', '**/store/clickhouse/**'], "flows/ reads through the store's flow port only."),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    // What every feature's routes share of HTTP (who asks, for which project; how an answer is declared): below api/ and the features.
    files: ['packages/server/src/http/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          [
            '**/api/**',
            '**/serve/**',
            '**/dbthread/**',
            '**/store/**',
            '**/pipeline/**',
            '**/ingest/**',
            '**/query/**',
            '**/quality/**',
            '**/sampling/**',
            '**/alerting/**',
            '**/replay/**',
            '**/live/**',
            '**/export/**',
            '**/flows/**',
            '**/mcp/**',
          ],
          'http/ holds what routes share, below api/ and the features that have routes: it imports none of them.',
        ),
      ),
    },
  },
  {
    files: ['packages/server/src/metrics/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['node:*', '**/api/**', '**/store/**', '**/ingest/**', '**/pipeline/**', '**/query/**', '**/dbthread/**', '**/serve/**', 'fastify'],
          'Pure: records in, records out, no I/O.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    // What a part is and how parts start and stop: below every feature, so each can give a part.
    files: ['packages/server/src/parts/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          [
            '**/api/**',
            '**/serve/**',
            '**/dbthread/**',
            '**/store/**',
            '**/ingest/**',
            '**/query/**',
            '**/quality/**',
            '**/sampling/**',
            '**/alerting/**',
            '**/live/**',
            '**/export/**',
            '**/mcp/**',
            '**/auth/**',
          ],
          'parts/ says what a part is and starts them: it knows no feature.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/serve/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(['**/store/**'], 'serve/ puts the parts together; the store is opened and reached on the database thread only.'),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/cli/**', 'packages/server/src/export/cli.ts'],
    rules: { 'no-restricted-imports': restrict(DUCKDB_ONLY_IN_STORE) },
  },
  {
    files: ['packages/server/src/params/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/serve/**', '**/mcp/**', '**/quality/**', '**/sampling/**', '**/live/**', '**/ingest/**', '**/pipeline/**', '**/dbthread/**'],
          'params/ declares the parameters the API, MCP, quality and the CLI share, and checks them: TypeBox schemas and their parsing, below all of those.',
        ),
        forbid(['**/store/**'], 'params/ checks what is asked; what is stored is not its business.'),
        forbid(['fastify'], 'params/ knows no HTTP: api/validation.ts hands its check to Fastify.'),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
  {
    files: ['packages/server/src/docs/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        forbid(
          ['**/api/**', '**/serve/**', '**/store/**', '**/dbthread/**', '**/query/**', '**/ingest/**', '**/pipeline/**', 'fastify'],
          'docs/ reads the Markdown docs from their folder and searches them; api/docs-routes.ts serves them.',
        ),
        DUCKDB_ONLY_IN_STORE,
      ),
    },
  },
);

/**
 * Every folder of the server has its import boundary: a folder made without one would import
 * anything, and nothing would say so. Lint stops here, naming the folder.
 */
const SERVER_SRC = 'packages/server/src';
const bounded = new Set(config.flatMap((block) => block.files ?? []).map((glob) => /^packages\/server\/src\/([^/]+)\/\*\*$/.exec(glob)?.[1]));
const unbounded = readdirSync(new URL(`./${SERVER_SRC}/`, import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !bounded.has(entry.name))
  .map((entry) => `${SERVER_SRC}/${entry.name}/`);
if (unbounded.length > 0) throw new Error(`eslint.config.js: no import-boundary rule for ${unbounded.join(', ')}: add a block saying what it may not import`);

export default config;
