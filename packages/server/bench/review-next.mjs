// node packages/server/bench/review-next.mjs — a reviewer's `next` on a queue of BENCH_ITEMS items
// (default 50,000), BENCH_REVIEWED of them (default 20,000) already taken and submitted by other
// reviewers, every tenth of those skipped first by this one, BENCH_HELD (default 100) held by others
// now. Each round reads the next item both ways, in alternating order: as the service did
// (every item and event of the queue read, each item's state worked out in JS) and as it does
// (the store's nextItem, one row back). Both read the queue's row first, as `next` does; the take
// it then records is the same for both and left out. Then what a submit or skip reads to check the
// item is the asker's, both ways: the whole queue, or the item's rows. On DuckDB (a file) and on ClickHouse
// (`chdb` embedded); BENCH_ENGINES=duckdb keeps to one. BENCH_ROUNDS (default 15) pairs each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { givable, itemStates } from '../dist/queues/review-state.js';
import { ClickHouseStore } from '../dist/store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { median } from './lib.mjs';

const items = Number(process.env.BENCH_ITEMS ?? 50_000);
const reviewed = Number(process.env.BENCH_REVIEWED ?? 20_000);
const heldByOthers = Number(process.env.BENCH_HELD ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const engines = (process.env.BENCH_ENGINES ?? 'duckdb,clickhouse').split(',');

const PROJECT = 'default';
const QUEUE = 'bench';
const ME = 'reviewer-me';
const T0 = Date.now() * 1000 - 3_600_000_000;
const NOW = T0 + 3_000_000_000;
const ask = { reviewer: ME, reviewersPerItem: 1, nowUs: NOW };
const review = JSON.stringify({ scores: [{ name: 'correct', value: 1, label: null }], comment: 'fine' });

async function fill(store) {
  await store.queues.putQueue(PROJECT, { name: QUEUE, spec: '{}', filtered: false, createdUs: T0, timeUs: T0, deleted: false });
  const id = (i) => i.toString(16).padStart(32, '0');
  for (let start = 0; start < items; start += 10_000) {
    const batch = [];
    for (let i = start; i < Math.min(items, start + 10_000); i++)
      batch.push({ queue: QUEUE, itemId: id(i), kind: 'trace', traceId: id(i), spanId: null, sessionId: null, origin: 'hand', addedUs: T0 + 1 + i });
    await store.queues.addItems(PROJECT, batch);
  }
  let t = T0 + items + 10;
  const events = [];
  for (let i = 0; i < reviewed + heldByOthers; i++) {
    const other = `reviewer-${i % 7}`;
    if (i < reviewed && i % 10 === 0) {
      events.push({ queue: QUEUE, itemId: id(i), reviewer: ME, kind: 'take', timeUs: t++, untilUs: t + 600_000_000, review: '' });
      events.push({ queue: QUEUE, itemId: id(i), reviewer: ME, kind: 'skip', timeUs: t++, untilUs: 0, review: '' });
    }
    events.push({
      queue: QUEUE,
      itemId: id(i),
      reviewer: other,
      kind: 'take',
      timeUs: t++,
      untilUs: i < reviewed ? t + 600_000_000 : NOW + 600_000_000,
      review: '',
    });
    if (i < reviewed) events.push({ queue: QUEUE, itemId: id(i), reviewer: other, kind: 'submit', timeUs: t++, untilUs: 0, review });
  }
  for (let start = 0; start < events.length; start += 10_000) await store.queues.addEvents(PROJECT, events.slice(start, start + 10_000));
  return events.length;
}

/** As the service read it before: the queue's every item and event, each item's state in JS. */
async function before(store) {
  const queue = await store.queues.latestQueue(PROJECT, QUEUE);
  const [all, events] = await Promise.all([store.queues.listItems(PROJECT, QUEUE, queue.createdUs), store.queues.listEvents(PROJECT, QUEUE, queue.createdUs)]);
  const states = [...itemStates(all, events, NOW).values()];
  const chosen = states.find((s) => s.holder?.reviewer === ME) ?? states.find((s) => givable(s, ME, 1));
  return chosen?.item.itemId ?? null;
}

async function after(store) {
  const queue = await store.queues.latestQueue(PROJECT, QUEUE);
  return (await store.queues.nextItem(PROJECT, QUEUE, queue.createdUs, ask))?.itemId ?? null;
}

/** What a submit or skip reads to find the item is the reviewer's: before, the whole queue; now, the item's rows. */
async function held(store, itemId, whole) {
  const queue = await store.queues.latestQueue(PROJECT, QUEUE);
  const one = whole ? undefined : itemId;
  const [all, events] = await Promise.all([
    store.queues.listItems(PROJECT, QUEUE, queue.createdUs, one),
    store.queues.listEvents(PROJECT, QUEUE, queue.createdUs, one),
  ]);
  return itemStates(all, events, NOW).get(itemId)?.holder?.reviewer ?? null;
}

async function measure(engine, store) {
  const events = await fill(store);
  const want = (reviewed + heldByOthers).toString(16).padStart(32, '0');
  // An item another reviewer holds now: the submit's read finds its holder either way.
  const heldItem = (reviewed + 1).toString(16).padStart(32, '0');
  const holder = `reviewer-${(reviewed + 1) % 7}`;
  const times = { before: [], after: [], heldBefore: [], heldAfter: [] };
  const ways = {
    before: () => before(store).then((found) => found === want),
    after: () => after(store).then((found) => found === want),
    heldBefore: () => held(store, heldItem, true).then((found) => found === holder),
    heldAfter: () => held(store, heldItem, false).then((found) => found === holder),
  };
  for (let round = 0; round < rounds + 1; round++) {
    const order = round % 2 === 0 ? ['before', 'after', 'heldBefore', 'heldAfter'] : ['heldAfter', 'heldBefore', 'after', 'before'];
    for (const way of order) {
      const t = performance.now();
      const right = await ways[way]();
      const ms = performance.now() - t;
      if (!right) throw new Error(`${engine} ${way}: a wrong answer`);
      // The first round warms the caches of both; it is not counted.
      if (round > 0) times[way].push(ms);
    }
  }
  const b = median(times.before);
  const a = median(times.after);
  console.log(
    `${engine}: ${items.toLocaleString('en')} items, ${events.toLocaleString('en')} events; next, median of ${rounds} paired rounds: ` +
      `before ${b.toFixed(1)} ms, after ${a.toFixed(1)} ms (${(a / b).toFixed(3)}x)`,
  );
  const hb = median(times.heldBefore);
  const ha = median(times.heldAfter);
  console.log(`${engine}: a submit's read of the item held: before ${hb.toFixed(1)} ms, after ${ha.toFixed(1)} ms (${(ha / hb).toFixed(3)}x)`);
}

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-review-next-'));
try {
  if (engines.includes('duckdb')) {
    const store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
    try {
      await measure('duckdb', store);
    } finally {
      await store.close();
    }
  }
  if (engines.includes('clickhouse')) {
    const store = await ClickHouseStore.open({ database: 'bench', chdbPath: join(dir, 'chdb') });
    try {
      await measure('clickhouse', store);
    } finally {
      await store.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
