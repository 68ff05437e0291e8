import { parentPort, workerData } from 'node:worker_threads';
import { decodeBatch } from '../ingest/decode.js';
import { type MaskingPolicy, ProjectMasking } from '../ingest/masking.js';
import { CommitLoop } from '../pipeline/commit-loop.js';
import { applyRetention, scheduleRetention } from '../pipeline/retention.js';
import { openStore } from './open-store.js';
import { isAppError } from '../errors.js';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { PriceService } from '../pricing/price-service.js';
import { RECENT_SPANS_PER_PROJECT } from '../ingest/recent-spans.js';
import { answerCall, createDbCalls } from './calls.js';
import type { DbThreadConfig, FromDbThread, ToDbThread } from './protocol.js';

/**
 * The database thread: owns the DuckDB store, commits the batches the receiver decoded (and
 * decodes spooled entries itself when it reads them back), and answers queries (serialized to
 * JSON here), so none of that competes with HTTP on the main thread's event loop.
 */
const port = parentPort!;
const config = workerData as DbThreadConfig;
const send = (message: FromDbThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

async function start(): Promise<void> {
  const { store, where, foundVersion, schemaVersion, ping } = await openStore(config.store, config.retention, (error) =>
    send({ type: 'log', level: 'error', message: 'the store does not answer; trying again in 2 s (for up to a minute)', data: { error: error.message } }),
  );
  const pricing = new PriceService(store, config.prices, Date.now, (projectId, models) => send({ type: 'prices', projectId, models }));
  await pricing.load([DEFAULT_PROJECT_ID]);
  // Entries read back from the spool are masked like the requests the decode thread decodes.
  const masking = new ProjectMasking(config.maskFile ?? null);
  for (const stored of await store.masking.listPolicies()) masking.set(stored.projectId, JSON.parse(stored.policy) as MaskingPolicy);
  // Whether the store takes commits (the last one succeeded, and a store over the network
  // answers): the HTTP thread's /ready says so, and ingest spools without holding batches while not.
  let storeHealthy = true;
  let commitFailing = false;
  let reachable = true;
  const reportHealth = (): void => {
    const healthy = reachable && !commitFailing;
    if (healthy !== storeHealthy) send({ type: 'storeHealth', healthy: (storeHealthy = healthy) });
  };
  const loop = new CommitLoop(store, {
    spoolDir: config.spoolDir,
    serverId: config.serverId,
    decode: (entry) =>
      decodeBatch(entry.signal, entry.encoding, entry.body, entry.projectId, entry.receivedUs, pricing.bookFor(entry.projectId), undefined, masking.maskerFor(entry.projectId)).batch,
    maxRecordsPerCommit: config.maxRecordsPerCommit,
    lingerMs: config.lingerMs,
    onCommit: (seq, position, records, commitMs) => {
      commitFailing = false;
      reachable = true;
      reportHealth();
      send({ type: 'committed', seq, position, records, commitMs });
    },
    quarantineDir: config.quarantineDir,
    onQuarantine: (id, reason) => send({ type: 'quarantined', id, reason }),
    onDamaged: (segment, offset, bytes) => send({ type: 'damaged', segment, offset, bytes }),
    onError: (error, records) => {
      commitFailing = true;
      reportHealth();
      send({ type: 'log', level: 'error', message: 'a commit failed; its records will be read back from the spool and retried', data: { error: String(error), records } });
    },
  });
  const calls = createDbCalls(store, pricing, masking);
  const replayed = await loop.replay();
  const retention = await applyRetention(store, config.retention, Date.now());
  const stopRetention = scheduleRetention(store, config.retention, (results, error) => {
    if (error !== undefined) send({ type: 'log', level: 'error', message: 'retention failed; it will run again', data: { error: String(error) } });
    else if (results !== null && results.some((r) => r.deleted > 0)) {
      send({ type: 'log', level: 'info', message: 'retention removed expired records', data: { results } });
    }
  });

  // A store over the network can go away while nothing is written: asked every second, so /ready
  // tells within a second or two, and says ready again once it answers (and no commit is failing).
  const pinger =
    ping === undefined
      ? null
      : setInterval(() => {
          void ping().then((answers) => {
            reachable = answers;
            reportHealth();
          });
        }, 1000);
  pinger?.unref();

  port.on('message', (message: ToDbThread) => {
    switch (message.type) {
      case 'batch':
        loop.push(message.batch, message.position, message.seq);
        break;
      case 'commitUpTo':
        void loop.commitUpTo(message.seq).then(() => send({ type: 'reply', id: message.id }));
        break;
      case 'call':
        answerCall(calls, message.name, message.args).then(
          // An answer written as bytes owns its ArrayBuffer (`JsonWriter`): it moves, uncopied.
          (result) => send({ type: 'reply', id: message.id, result }, result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : []),
          (error: Error) =>
            send({ type: 'reply', id: message.id, error: { name: error.name, message: error.message, code: isAppError(error) ? error.code : undefined } }),
        );
        break;
      case 'close':
        stopRetention();
        if (pinger !== null) clearInterval(pinger);
        loop
          .close()
          .then(() => store.close())
          .then(
            () => send({ type: 'reply', id: message.id }),
            (error: Error) => send({ type: 'reply', id: message.id, error: { name: error.name, message: error.message } }),
          )
          .finally(() => port.close());
        break;
    }
  });
  // What a client may send again after this restart: the spans stored last (those replayed among them).
  const recentSpans = await store.recentSpanIds(RECENT_SPANS_PER_PROJECT);
  send({ type: 'ready', replayed, committedSegment: loop.committedSegment(), retention, recentSpans, store: { where, foundVersion, schemaVersion } });
}

start().catch((error: Error) => send({ type: 'startFailed', message: error.message }));
