import type { QueueItemKind, QueueItemOrigin } from '@spoor/model';
import type { QueueEventKind, QueueEventRecord, QueueItemRecord, QueueRecord } from '../ports/queues.js';
import { type Row, isTrue, num } from '../record-rows.js';
import type { SqlEngine } from './dialect.js';

/**
 * Review queues' reads for every engine, and the rows they are written as. All three tables are
 * appended: a queue is its newest row, an item its first row (an id added twice is one item), and
 * the events are read in time order, ties in the order written cannot break (the service spaces them).
 */

const QUEUE_COLUMNS = 'name, spec, filtered, created_us, time_us, deleted';
const ITEM_COLUMNS = 'queue, item_id, kind, trace_id, span_id, session_id, origin, added_us';
const EVENT_COLUMNS = 'queue, item_id, reviewer, kind, time_us, until_us, review';

export function queueRow(q: QueueRecord): Record<string, unknown> {
  return { name: q.name, spec: q.spec, filtered: q.filtered, created_us: q.createdUs, time_us: q.timeUs, deleted: q.deleted };
}

export function itemRow(i: QueueItemRecord): Record<string, unknown> {
  return {
    queue: i.queue,
    item_id: i.itemId,
    kind: i.kind,
    trace_id: i.traceId,
    span_id: i.spanId,
    session_id: i.sessionId,
    origin: i.origin,
    added_us: i.addedUs,
  };
}

export function eventRow(e: QueueEventRecord): Record<string, unknown> {
  return { queue: e.queue, item_id: e.itemId, reviewer: e.reviewer, kind: e.kind, time_us: e.timeUs, until_us: e.untilUs, review: e.review };
}

function queueOf(row: Row): QueueRecord {
  return {
    name: row.get('name') as string,
    spec: row.get('spec') as string,
    filtered: isTrue(row.get('filtered')),
    createdUs: num(row.get('created_us')),
    timeUs: num(row.get('time_us')),
    deleted: isTrue(row.get('deleted')),
  };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

function itemOf(row: Row): QueueItemRecord {
  return {
    queue: row.get('queue') as string,
    itemId: row.get('item_id') as string,
    kind: row.get('kind') as QueueItemKind,
    traceId: text(row.get('trace_id')),
    spanId: text(row.get('span_id')),
    sessionId: text(row.get('session_id')),
    origin: row.get('origin') as QueueItemOrigin,
    addedUs: num(row.get('added_us')),
  };
}

function eventOf(row: Row): QueueEventRecord {
  return {
    queue: row.get('queue') as string,
    itemId: row.get('item_id') as string,
    reviewer: row.get('reviewer') as string,
    kind: row.get('kind') as QueueEventKind,
    timeUs: num(row.get('time_us')),
    untilUs: num(row.get('until_us')),
    review: row.get('review') as string,
  };
}

export async function latestQueue(db: SqlEngine, projectId: string, name: string): Promise<QueueRecord | null> {
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows(
    'read a review queue',
    `SELECT ${QUEUE_COLUMNS} FROM ${d.tables.review_queues} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} ORDER BY time_us DESC LIMIT 1`,
    p,
    queueOf,
  );
  return rows[0] ?? null;
}

export function listQueues(db: SqlEngine, projectId: string): Promise<QueueRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = d.firstPer(`SELECT ${QUEUE_COLUMNS} FROM ${d.tables.review_queues} WHERE project_id = ${p.add(projectId)}`, 'name', 'time_us DESC');
  return db.rows('list review queues', `SELECT * FROM (${latest}) AS latest WHERE NOT deleted ORDER BY name`, p, queueOf);
}

export function queuesWithFilters(db: SqlEngine): Promise<(QueueRecord & { projectId: string })[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = d.firstPer(`SELECT project_id, ${QUEUE_COLUMNS} FROM ${d.tables.review_queues}`, 'project_id, name', 'time_us DESC');
  return db.rows('list filtered review queues', `SELECT * FROM (${latest}) AS latest WHERE filtered AND NOT deleted ORDER BY project_id, name`, p, (row) => ({
    ...queueOf(row),
    projectId: row.get('project_id') as string,
  }));
}

export function listItems(db: SqlEngine, projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueItemRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const one = itemId === undefined ? '' : ` AND item_id = ${p.add(itemId)}`;
  const where = `project_id = ${p.add(projectId)} AND queue = ${p.add(queue)} AND added_us >= ${p.int(sinceUs)}${one}`;
  const first = d.firstPer(`SELECT ${ITEM_COLUMNS} FROM ${d.tables.review_items} WHERE ${where}`, 'item_id', 'added_us');
  return db.rows('list review items', `SELECT * FROM (${first}) AS first_added ORDER BY added_us, item_id`, p, itemOf);
}

export function listEvents(db: SqlEngine, projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueEventRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const one = itemId === undefined ? '' : ` AND item_id = ${p.add(itemId)}`;
  return db.rows(
    'list review events',
    `SELECT ${EVENT_COLUMNS} FROM ${d.tables.review_events}
     WHERE project_id = ${p.add(projectId)} AND queue = ${p.add(queue)} AND time_us >= ${p.int(sinceUs)}${one} ORDER BY time_us, item_id, reviewer`,
    p,
    eventOf,
  );
}

/**
 * The item `reviewer` is given next (`QueueStore.nextItem`), worked out where the rows are: each
 * item's holder is its last take's reviewer, unless that reviewer released, skipped or submitted it
 * since or the lease ran out; the item they hold, else the first by when added (then id) that no
 * one else holds, with fewer than `reviewersPerItem` reviewers' submits, neither submitted nor
 * skipped by them. Only the chosen item's row leaves the database.
 */
export async function nextItem(
  db: SqlEngine,
  projectId: string,
  queue: string,
  sinceUs: number,
  ask: { reviewer: string; reviewersPerItem: number; nowUs: number },
): Promise<QueueItemRecord | null> {
  const d = db.dialect;
  const p = d.params();
  const where = `project_id = ${p.add(projectId)} AND queue = ${p.add(queue)}`;
  const since = p.int(sinceUs);
  const me = p.add(ask.reviewer);
  const first = d.firstPer(`SELECT ${ITEM_COLUMNS} FROM ${d.tables.review_items} WHERE ${where} AND added_us >= ${since}`, 'item_id', 'added_us');
  // Events of one queue never share a time (the service spaces them): an item's last take is one row.
  const rows = await db.rows(
    'find the next review item',
    `WITH ev AS (SELECT item_id, reviewer, kind, time_us, until_us FROM ${d.tables.review_events} WHERE ${where} AND time_us >= ${since}),
       last_takes AS (SELECT item_id, max(time_us) AS take_us FROM ev WHERE kind = 'take' GROUP BY item_id),
       takers AS (SELECT ev.item_id AS item_id, ev.reviewer AS holder, ev.time_us AS take_us, ev.until_us AS until_us
                  FROM ev JOIN last_takes ON ev.item_id = last_takes.item_id AND ev.time_us = last_takes.take_us WHERE ev.kind = 'take'),
       lefts AS (SELECT item_id, reviewer, max(time_us) AS left_us FROM ev WHERE kind <> 'take' GROUP BY item_id, reviewer),
       held AS (SELECT takers.item_id AS item_id, takers.holder AS holder
                FROM takers LEFT JOIN lefts ON lefts.item_id = takers.item_id AND lefts.reviewer = takers.holder
                WHERE takers.until_us > ${p.int(ask.nowUs)} AND (lefts.left_us IS NULL OR lefts.left_us < takers.take_us)),
       tallies AS (SELECT item_id, count(DISTINCT CASE WHEN kind = 'submit' THEN reviewer END) AS reviews,
                          max(CASE WHEN reviewer = ${me} AND kind IN ('submit', 'skip') THEN 1 ELSE 0 END) AS mine
                   FROM ev GROUP BY item_id)
     SELECT items.queue AS queue, items.item_id AS item_id, items.kind AS kind, items.trace_id AS trace_id, items.span_id AS span_id,
            items.session_id AS session_id, items.origin AS origin, items.added_us AS added_us
     FROM (${first}) AS items LEFT JOIN held ON held.item_id = items.item_id LEFT JOIN tallies ON tallies.item_id = items.item_id
     WHERE held.holder = ${me} OR (held.holder IS NULL AND coalesce(tallies.reviews, 0) < ${p.int(ask.reviewersPerItem)} AND coalesce(tallies.mine, 0) = 0)
     ORDER BY CASE WHEN held.holder = ${me} THEN 0 ELSE 1 END, items.added_us, items.item_id LIMIT 1`,
    p,
    itemOf,
  );
  return rows[0] ?? null;
}

export async function allRows(db: SqlEngine, projectId: string): Promise<{ queues: QueueRecord[]; items: QueueItemRecord[]; events: QueueEventRecord[] }> {
  const d = db.dialect;
  const read = <T>(what: string, columns: string, table: string, order: string, convert: (row: Row) => T): Promise<T[]> => {
    const p = d.params();
    return db.rows(what, `SELECT ${columns} FROM ${table} WHERE project_id = ${p.add(projectId)} ORDER BY ${order}`, p, convert);
  };
  return {
    queues: await read('read review queues', QUEUE_COLUMNS, d.tables.review_queues, 'name, time_us', queueOf),
    items: await read('read review items', ITEM_COLUMNS, d.tables.review_items, 'queue, added_us, item_id', itemOf),
    events: await read('read review events', EVENT_COLUMNS, d.tables.review_events, 'queue, time_us, item_id, reviewer', eventOf),
  };
}
