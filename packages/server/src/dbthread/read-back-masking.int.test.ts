import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectMasking } from '../ingest/masking.js';
import { MaskingTimeline } from '../ingest/masking-timeline.js';
import { PriceService } from '../pricing/price-service.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { recordsOf } from '../store/table-records.js';
import type { EntryDecoder } from '../pipeline/commit-loop.js';
import { type DbClient, createDbCalls } from './calls.js';
import { inProcessClient } from './in-process-client.js';
import { readBackDecoder } from './read-back-decode.js';

/**
 * What the database thread reads back from the spool (a commit that failed or stalled, the store
 * down) is masked as the decode thread would have masked it when it was received: by the policy
 * in force then, and by every one set through the API since, even a policy removed meanwhile.
 */

let dir: string;
let store: DuckDbStore;
let db: DbClient;
let decode: EntryDecoder;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-read-back-masking-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  const pricing = new PriceService(store.prices, null);
  // As the database thread wires them (db-thread.ts): the calls keep the timeline the read-back decodes by.
  const readBackMasking = new MaskingTimeline(null, []);
  db = inProcessClient(createDbCalls(store, pricing, new ProjectMasking(null), { readBackMasking }));
  decode = readBackDecoder(pricing, readBackMasking);
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** An OTLP/JSON request of one span whose attribute holds an e-mail address. */
const body = new TextEncoder().encode(
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] },
        scopeSpans: [
          {
            scope: { name: 't' },
            spans: [
              {
                traceId: 'ab'.repeat(16),
                spanId: 'cd'.repeat(8),
                name: 'ask',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000001000000',
                attributes: [{ key: 'question', value: { stringValue: 'mail bob@example.com' } }],
              },
            ],
          },
        ],
      },
    ],
  }),
);

/** The span's attribute as the entry received at `receivedUs` is read back now. */
function readBackQuestion(receivedUs: number): unknown {
  const entry = { signal: 'traces' as const, encoding: 'json' as const, projectId: 'default', receivedUs, body };
  return recordsOf(decode(entry, 1)).spans[0]!.attributes.question;
}

describe('read back from the spool', () => {
  it('masks an entry by the policy it was received under, after that policy was removed', async () => {
    const beforeUs = Date.now() * 1000 - 1;
    expect(readBackQuestion(beforeUs)).toBe('mail bob@example.com');
    await db.masking.put('default', { detectors: ['email'] }, Date.now() * 1000);
    const underUs = Date.now() * 1000 + 1;
    expect(readBackQuestion(underUs)).toBe('mail [REDACTED:email]');
    const removedUs = underUs + 1000;
    expect(await db.masking.delete('default', removedUs)).toBe(true);
    // Received while the policy was in force, or before it was set: still masked by it.
    expect(readBackQuestion(underUs)).toBe('mail [REDACTED:email]');
    expect(readBackQuestion(beforeUs)).toBe('mail [REDACTED:email]');
    // Received after it was removed: as sent.
    expect(readBackQuestion(removedUs + 1)).toBe('mail bob@example.com');
  });
});
