import { parseArgs } from 'node:util';
import { callApi, serverUrl } from './api-client.js';

/**
 * `spoor spool …`: what the running server's quarantine holds, and handing it back. Both talk
 * to the server's API, so the entries go through the same spool and writer as any request.
 */
export async function spoolCommand(args: string[], out: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: { url: { type: 'string' } }, allowPositionals: sub === 'replay-quarantine', strict: true });
  const url = serverUrl(values.url);
  if (sub === 'quarantine') {
    const { entries } = (await callApi(url, 'GET', '/api/quarantine')) as { entries: Array<Record<string, unknown>> };
    if (entries.length === 0) {
      out('The quarantine is empty.\n');
      return 0;
    }
    for (const e of entries) {
      out(`${e.id}  ${e.signal} ${e.encoding}, ${e.bytes} bytes, ${e.records ?? '?'} records, received ${e.receivedAt}, ${e.attempts} tries\n    ${e.error}\n`);
    }
    out(`${entries.length} quarantined; hand them back with: spoor spool replay-quarantine\n`);
    return 0;
  }
  if (sub === 'replay-quarantine') {
    const body = positionals.length === 0 ? {} : { ids: positionals };
    const result = (await callApi(url, 'POST', '/api/quarantine/replay', body)) as {
      replayed: number;
      records: number;
      failed: Array<{ id: string; error: string }>;
      quarantinedAgain: number;
    };
    out(`Replayed ${result.replayed} quarantined requests (${result.records} records).\n`);
    for (const f of result.failed) out(`  kept ${f.id}: ${f.error}\n`);
    if (result.quarantinedAgain > 0) out(`The store refused ${result.quarantinedAgain} of them again; they are back in the quarantine.\n`);
    return result.failed.length > 0 || result.quarantinedAgain > 0 ? 1 : 0;
  }
  throw new Error(`unknown spool command '${sub ?? ''}': use 'spoor spool quarantine' or 'spoor spool replay-quarantine [ID…]'`);
}
