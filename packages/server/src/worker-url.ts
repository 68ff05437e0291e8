import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiled entry of a worker thread, `file` (e.g. `ingest/decode-thread.js`) beside the
 * module at `from`. Tests run the server from its TypeScript sources, where no `.js` sits beside
 * it, so they use the build in `dist/` (`npm test` builds first); `what` names the thread in the
 * error when neither exists.
 */
export function workerUrl(from: string, file: string, what: string): URL {
  const here = new URL(`./${file.split('/').at(-1)}`, from);
  if (existsSync(fileURLToPath(here))) return here;
  const built = fileURLToPath(here).replace(new RegExp(`/src/${file.replace(/[.]/g, '\\.')}$`), `/dist/${file}`);
  if (!existsSync(built)) throw new Error(`the ${what} is not built (${built}); run 'npm run build'`);
  return pathToFileURL(built);
}
