import { EXPORT_FORMATS, EXPORT_SIGNALS } from '@spoor/model';
import type { DeclaredCommand } from '../cli/command.js';

/** How `spoor export` is called: said with a mistake in its command line, and in `spoor --help`. */
export const EXPORT_USAGE = `spoor export --from T --to T [--project P] [--signals ${EXPORT_SIGNALS.join(',')}] --format ${EXPORT_FORMATS.join('|')} --out DIR (--url URL | --data DIR | --clickhouse-url URL)`;

/** `spoor export` (`cli.ts`), as `cli/main.ts` lists it. */
export const exportCommandLine: DeclaredCommand = {
  name: 'export',
  usage: `  ${EXPORT_USAGE}
              a file per signal in DIR (spans.parquet, …); times ISO-8601 or epoch ms; --url sends SPOOR_API_KEY (an admin key)`,
  run: async (args, io) => (await import('./cli.js')).exportCommand(args, io),
};
