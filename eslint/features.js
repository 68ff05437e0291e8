import { DUCKDB_ONLY_IN_STORE, featureRules, forbid } from './boundaries.js';

/**
 * The import boundaries of the features that hold all of themselves, their part and routes with
 * them (alerting, quality, sampling, replay, review queues): each folder's core knows neither HTTP nor the
 * composition root; its part and routes may speak HTTP (fastify, http/, params/) and declare their
 * answers in their own folder (the shared pieces in http/answers/), and take what earlier parts gave. Read by eslint.config.js.
 */
export function featureBoundaries() {
  const STORE_ENGINES = ['**/store/duckdb/**', '**/store/clickhouse/**'];
  /** The core of `folder` (what `forbidden` names, and HTTP), then its part and routes (what `doorForbidden` names). */
  const feature = (folder, { forbidden, doorForbidden, message, doorMessage, doorExtra = [] }) =>
    featureRules(folder, {
      core: [forbid([...forbidden, '**/api/**', '**/serve/**', 'fastify'], message), DUCKDB_ONLY_IN_STORE],
      door: [forbid([...doorForbidden, '**/mcp/**'], doorMessage), ...doorExtra],
    });
  return [
    ...feature('alerting', {
      forbidden: ['**/ingest/**', '**/pipeline/**', '**/dbthread/**', '**/store/duckdb/**'],
      message:
        'alerting/ evaluates rules over the store ports and notifies: it knows neither how data arrives, nor HTTP, nor the thread that serves its calls ' +
        '(its part and routes do).',
      doorForbidden: ['**/ingest/**', '**/pipeline/**', '**/dbthread/**', '**/store/**', '**/live/**'],
      doorMessage: "alerting/'s part and routes reach the store through alerting's calls on the database thread (db-calls.ts) only.",
    }),
    ...feature('quality', {
      forbidden: ['**/sampling/**', '**/live/**', '**/ingest/**', '**/pipeline/**', '**/mcp/**', ...STORE_ENGINES],
      message:
        'quality/ judges traces and runs experiments over the store ports it is handed: it knows neither how data arrives nor HTTP ' +
        '(sampling/ builds on it, not the other way; its part and routes know HTTP).',
      doorForbidden: ['**/serve/**', '**/sampling/**', '**/live/**', '**/ingest/**', '**/pipeline/**', '**/store/**'],
      doorMessage: "quality/'s part and routes take what earlier parts gave, and reach the store through the database thread's calls only.",
    }),
    ...feature('sampling', {
      forbidden: ['**/ingest/**', '**/pipeline/**', '**/live/**', '**/dbthread/**', ...STORE_ENGINES],
      message: 'sampling/ decides complete traces over the store ports, as the evaluators find them: it knows neither how data arrives nor HTTP.',
      doorForbidden: ['**/serve/**', '**/ingest/**', '**/pipeline/**', '**/live/**', '**/dbthread/**', '**/store/**'],
      doorMessage: "sampling/'s part and routes take what earlier parts gave, and reach the store through sampling's calls only (backend.ts).",
    }),
    ...feature('replay', {
      forbidden: ['**/store/**', '**/ingest/**', '**/pipeline/**', '**/query/**', '**/quality/**', '**/sampling/**', '**/live/**', '**/dbthread/**'],
      message: 'replay/ sends a recorded call to a provider and hands back the trace it made: how that trace is stored or served is not its business.',
      doorForbidden: ['**/serve/**', '**/store/**', '**/ingest/**', '**/pipeline/**', '**/quality/**', '**/sampling/**', '**/live/**'],
      doorMessage: "replay/'s route reads the recorded call and its replay through the database thread's typed calls, and diffs them (query/trace-diff.ts).",
      doorExtra: [{ regex: '(^|/)dbthread/(?!calls\\.js$)', message: "replay/'s route reaches the database thread through its typed calls only." }],
    }),
    ...feature('dashboards', {
      forbidden: ['**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/quality/**', '**/dbthread/**', ...STORE_ENGINES],
      message: 'dashboards/ keeps dashboards as documents over the store port: it knows neither how data arrives nor HTTP (its panels read through promql/).',
      doorForbidden: ['**/serve/**', '**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/store/**'],
      doorMessage: "dashboards/'s part and routes reach the store through its calls on the database thread only.",
    }),
    ...feature('queues', {
      forbidden: ['**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/dbthread/**', ...STORE_ENGINES],
      message: 'queues/ hands traces to reviewers and keeps their reviews over the store ports: it knows neither how data arrives nor HTTP.',
      doorForbidden: ['**/serve/**', '**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/store/**'],
      doorMessage: "queues/'s part and routes take what earlier parts gave, and reach the store through its calls on the database thread only.",
    }),
    ...feature('prompts', {
      forbidden: ['**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/dbthread/**', ...STORE_ENGINES],
      message: 'prompts/ keeps prompts, their versions and labels over the store ports: it knows neither how data arrives nor HTTP.',
      doorForbidden: ['**/serve/**', '**/ingest/**', '**/pipeline/**', '**/live/**', '**/sampling/**', '**/store/**'],
      doorMessage: "prompts/'s part and routes take what earlier parts gave, and reach the store through its calls on the database thread only.",
    }),
  ];
}
