#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (which `npm start` and `npm test` run first).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("spoor: the server is not built yet; run 'npm run build' (or 'npm start') in the Spoor checkout first\n");
  process.exit(1);
}
await import(main.href);
