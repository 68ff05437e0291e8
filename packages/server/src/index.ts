/**
 * `@spoor/server`: the Spoor server as a library, for embedding and tests. The `spoor` CLI
 * (`src/cli/main.ts`) is the usual way to run it.
 */
export { startServer } from './serve/server.js';
export type { RunningServer } from './serve/server.js';
export { resolveServeConfig } from './config.js';
export { parseBytes, parseDuration, parseRetention } from './config-values.js';
export type { ServeConfig, ServeOptions } from './config.js';
export { runDemo } from './cli/demo.js';
export type { DemoOptions } from './cli/demo.js';
