import {
  type ItemReview,
  type QueueAgreement,
  type QueueItem,
  type QueueItemKind,
  type QueueItemOrigin,
  type QueueProgress,
  type ReviewQueue,
  type ReviewScore,
  type TakenItem,
  configuredScore,
  configuredScoreProblem,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { InTurn } from '../in-turn.js';
import type { ScoreService } from '../query/score-service.js';
import type { QueueEventKind, QueueEventRecord, QueueItemRecord, QueueRecord, QueueStore } from '../store/ports/queues.js';
import type { ScoreStore } from '../store/ports/scores.js';
import { agreementOf } from './agreement-report.js';
import { forgetConfigs, projectConfigs, rubricConflict } from './score-configs.js';
import { type ItemState, type StoredReview, itemStates } from './review-state.js';
import type { QueueSpec } from './spec.js';

/**
 * Review queues on the database thread: made, filled, and reviewed. Every call on one queue runs
 * in turn (`InTurn`), reading the queue's items and events and appending what it decided, so two
 * reviewers asking at once are given different items. One server holds a queue's turns: several
 * servers sharing one ClickHouse could give one item to two reviewers at once.
 */

export type ItemTarget = { kind: 'trace'; traceId: string } | { kind: 'span'; traceId: string; spanId: string } | { kind: 'session'; sessionId: string };

/** An item's id, the same each time its target is added: a trace's id, `trace-span` for a span, `session:ID` for a session. */
export function itemIdOf(target: ItemTarget): string {
  if (target.kind === 'trace') return target.traceId;
  if (target.kind === 'span') return `${target.traceId}-${target.spanId}`;
  return `session:${target.sessionId}`;
}

/** What a reviewer sends: their scores (rubric entry names), and a comment. */
export interface ReviewInput {
  scores: readonly { name: string; value?: unknown; label?: unknown }[];
  comment: string | null;
}

const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

export function queueOf(record: QueueRecord): ReviewQueue & { spec: QueueSpec } {
  const spec = JSON.parse(record.spec) as QueueSpec;
  return {
    name: record.name,
    description: spec.description,
    rubric: spec.rubric,
    reviewersPerItem: spec.reviewersPerItem,
    leaseSeconds: spec.leaseSeconds,
    filter: spec.filter,
    sampleRate: spec.sampleRate,
    dataset: spec.dataset,
    createdAt: iso(record.createdUs),
    spec,
  };
}

function itemOf(r: QueueItemRecord): QueueItem {
  return { itemId: r.itemId, kind: r.kind, traceId: r.traceId, spanId: r.spanId, sessionId: r.sessionId, origin: r.origin, addedAt: iso(r.addedUs) };
}

const notFound = (name: string): AppError => new AppError('ERR_NOT_FOUND', `queue ${name} was not found`);

export class QueueService {
  private readonly turns = new InTurn();
  /** The last event time written, so that events of one queue never tie. */
  private lastTimeUs = 0;

  constructor(
    private readonly store: { readonly queues: QueueStore; readonly scores: Pick<ScoreStore, 'findTarget'> },
    private readonly scores: Pick<ScoreService, 'add'>,
  ) {}

  /** Makes a queue; 409 when the name is taken. */
  create(projectId: string, name: string, spec: QueueSpec, nowUs: number): Promise<ReviewQueue> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const latest = await this.store.queues.latestQueue(projectId, name);
      if (latest !== null && !latest.deleted) throw new AppError('ERR_CONFLICT', `queue ${name} exists`);
      const conflict = rubricConflict(spec.rubric, projectConfigs(await this.store.queues.listQueues(projectId)));
      if (conflict !== null) throw new AppError('ERR_BAD_REQUEST', conflict);
      const record: QueueRecord = { name, spec: JSON.stringify(spec), filtered: spec.traceFilter !== null, createdUs: nowUs, timeUs: nowUs, deleted: false };
      await this.store.queues.putQueue(projectId, record);
      forgetConfigs(this.store.queues, projectId);
      return publicQueue(record);
    });
  }

  async list(projectId: string): Promise<ReviewQueue[]> {
    return (await this.store.queues.listQueues(projectId)).map(publicQueue);
  }

  async get(projectId: string, name: string, nowUs: number): Promise<ReviewQueue & { progress: QueueProgress }> {
    const { queue, states } = await this.read(projectId, name, nowUs);
    return { ...publicQueue(queue), progress: progressOf(states.values(), queueOf(queue).spec.reviewersPerItem) };
  }

  /** Deletes a queue: its items and reviews are no longer read (its scores stay, as every score does). */
  delete(projectId: string, name: string, nowUs: number): Promise<void> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const queue = await this.found(projectId, name);
      await this.store.queues.putQueue(projectId, { ...queue, timeUs: Math.max(nowUs, queue.timeUs + 1), deleted: true });
      forgetConfigs(this.store.queues, projectId);
    });
  }

  /**
   * Adds items (those already in the queue left as they were); 404 for a trace or span the project
   * does not have, unless `stored` (the traces were just read from the store).
   */
  async addItems(
    projectId: string,
    name: string,
    targets: readonly ItemTarget[],
    origin: QueueItemOrigin,
    nowUs: number,
    stored?: boolean,
  ): Promise<{ added: string[] }> {
    for (const t of targets) {
      if (t.kind === 'session' || stored === true) continue;
      const found = await this.store.scores.findTarget(projectId, t.traceId, t.kind === 'span' ? t.spanId : null);
      if (found === 'no trace') throw new AppError('ERR_NOT_FOUND', `trace ${t.traceId} was not found`);
      if (found === 'no span') throw new AppError('ERR_NOT_FOUND', `span ${(t as { spanId: string }).spanId} of trace ${t.traceId} was not found`);
    }
    return this.turns.run(`${projectId}\0${name}`, () => this.addInTurn(projectId, name, targets, origin, nowUs));
  }

  private async addInTurn(projectId: string, name: string, targets: readonly ItemTarget[], origin: QueueItemOrigin, nowUs: number) {
    const queue = await this.found(projectId, name);
    const have = new Set((await this.store.queues.listItems(projectId, name, queue.createdUs)).map((i) => i.itemId));
    const rows: QueueItemRecord[] = [];
    for (const t of targets) {
      const itemId = itemIdOf(t);
      if (have.has(itemId)) continue;
      have.add(itemId);
      rows.push({
        queue: name,
        itemId,
        kind: t.kind as QueueItemKind,
        traceId: t.kind === 'session' ? null : t.traceId,
        spanId: t.kind === 'span' ? t.spanId : null,
        sessionId: t.kind === 'session' ? t.sessionId : null,
        origin,
        addedUs: Math.max(nowUs, queue.createdUs),
      });
    }
    await this.store.queues.addItems(projectId, rows);
    return { added: rows.map((r) => r.itemId) };
  }

  /** A page of the queue's items with where each stands (who holds it, how many reviews), in the order they are given out, from `offset`. */
  async items(
    projectId: string,
    name: string,
    offset: number,
    limit: number,
    nowUs: number,
  ): Promise<{ items: (QueueItem & { reviews: number; heldBy: string | null })[]; nextCursor: string | null }> {
    const { states } = await this.read(projectId, name, nowUs);
    const all = [...states.values()];
    const page = all.slice(offset, offset + limit).map((s) => ({ ...itemOf(s.item), reviews: s.reviews.size, heldBy: s.holder?.reviewer ?? null }));
    return { items: page, nextCursor: offset + limit < all.length ? String(offset + limit) : null };
  }

  /**
   * Gives `reviewer` an item to review, held for them for the queue's lease: the one they hold if
   * any (its lease renewed), else the first no one holds that they have not reviewed or skipped and
   * that lacks reviews; `null` when none is left for them.
   */
  next(projectId: string, name: string, reviewer: string, nowUs: number): Promise<TakenItem | null> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const queue = await this.found(projectId, name);
      const { spec } = queueOf(queue);
      // Found by the store where the rows are: a queue's items and events are not read here, however many.
      const chosen = await this.store.queues.nextItem(projectId, name, queue.createdUs, { reviewer, reviewersPerItem: spec.reviewersPerItem, nowUs });
      if (chosen === null) return null;
      const untilUs = nowUs + spec.leaseSeconds * 1_000_000;
      await this.record(projectId, name, chosen.itemId, reviewer, 'take', nowUs, untilUs, '');
      // Blind: others' reviews are not shown before the reviewer's own.
      return { item: itemOf(chosen), heldUntil: iso(untilUs), reviews: [] };
    });
  }

  /**
   * Records `reviewer`'s review of an item they hold: each score checked against the rubric (400
   * naming it), stored as an ordinary score (source human, author the reviewer, the comment its
   * comment), then the review. Answers the item with every review of it, now the reviewer's is in.
   */
  submit(
    projectId: string,
    name: string,
    itemId: string,
    reviewer: string,
    input: ReviewInput,
    nowUs: number,
  ): Promise<{ item: QueueItem; reviews: ItemReview[] }> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const { queue, states } = await this.read(projectId, name, nowUs, itemId);
      const state = this.held(states, name, itemId, reviewer);
      const scores = checkScores(queueOf(queue).spec, input);
      const { item } = state;
      for (const score of scores) {
        await this.scores.add(
          {
            projectId,
            traceId: item.traceId,
            spanId: item.spanId,
            sessionId: item.sessionId,
            name: score.name,
            value: score.value,
            label: score.label,
            comment: input.comment,
            source: 'human',
            author: reviewer,
          },
          nowUs,
        );
      }
      const review: StoredReview = { scores, comment: input.comment };
      const timeUs = await this.record(projectId, name, itemId, reviewer, 'submit', nowUs, 0, JSON.stringify(review));
      state.reviews.set(reviewer, { reviewer, scores, comment: input.comment, time: iso(timeUs) });
      return { item: itemOf(item), reviews: [...state.reviews.values()] };
    });
  }

  /** Ends `reviewer`'s hold of an item: `skip` (not given to them again) or `release` (back in the queue for anyone). */
  leave(projectId: string, name: string, itemId: string, reviewer: string, kind: 'skip' | 'release', nowUs: number): Promise<void> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const { states } = await this.read(projectId, name, nowUs, itemId);
      this.held(states, name, itemId, reviewer);
      await this.record(projectId, name, itemId, reviewer, kind, nowUs, 0, '');
    });
  }

  /** One item with the reviews `reviewer` may see: every one once they submitted theirs, else none (blind review). */
  async item(projectId: string, name: string, itemId: string, reviewer: string, nowUs: number): Promise<QueueItem & { reviews: ItemReview[] }> {
    const { states } = await this.read(projectId, name, nowUs, itemId);
    const state = states.get(itemId);
    if (state === undefined) throw new AppError('ERR_NOT_FOUND', `item ${itemId} of queue ${name} was not found`);
    return { ...itemOf(state.item), reviews: state.reviews.has(reviewer) ? [...state.reviews.values()] : [] };
  }

  async agreement(projectId: string, name: string, nowUs: number): Promise<QueueAgreement> {
    const { queue, states } = await this.read(projectId, name, nowUs);
    return agreementOf(queueOf(queue).spec.rubric, states.values());
  }

  private held(states: Map<string, ItemState>, name: string, itemId: string, reviewer: string): ItemState {
    const state = states.get(itemId);
    if (state === undefined) throw new AppError('ERR_NOT_FOUND', `item ${itemId} of queue ${name} was not found`);
    if (state.holder?.reviewer !== reviewer)
      throw new AppError(
        'ERR_CONFLICT',
        `item ${itemId} is not held by you (its lease ran out, or it was never given you): take one with POST /api/queues/${name}/next`,
      );
    return state;
  }

  private async record(
    projectId: string,
    queue: string,
    itemId: string,
    reviewer: string,
    kind: QueueEventKind,
    nowUs: number,
    untilUs: number,
    review: string,
  ) {
    // Events of one queue are read in time order: two never share a time.
    const timeUs = (this.lastTimeUs = Math.max(nowUs, this.lastTimeUs + 1));
    const event: QueueEventRecord = { queue, itemId, reviewer, kind, timeUs, untilUs, review };
    await this.store.queues.addEvents(projectId, [event]);
    return timeUs;
  }

  private async found(projectId: string, name: string): Promise<QueueRecord> {
    const queue = await this.store.queues.latestQueue(projectId, name);
    if (queue === null || queue.deleted) throw notFound(name);
    return queue;
  }

  /** The queue and where its items stand: every item, or with `itemId` that one alone (its rows only read). */
  private async read(projectId: string, name: string, nowUs: number, itemId?: string): Promise<{ queue: QueueRecord; states: Map<string, ItemState> }> {
    const queue = await this.found(projectId, name);
    const [items, events] = await Promise.all([
      this.store.queues.listItems(projectId, name, queue.createdUs, itemId),
      this.store.queues.listEvents(projectId, name, queue.createdUs, itemId),
    ]);
    return { queue, states: itemStates(items, events, nowUs) };
  }
}

function publicQueue(record: QueueRecord): ReviewQueue {
  const { spec: _, ...queue } = queueOf(record);
  return queue;
}

/** The scores of a review, each of a rubric entry and a value it allows; 400 naming the first that is not. */
function checkScores(spec: QueueSpec, input: ReviewInput): ReviewScore[] {
  if (input.scores.length === 0) throw new AppError('ERR_BAD_REQUEST', 'scores: give at least one score of the rubric');
  const seen = new Set<string>();
  return input.scores.map((score, i) => {
    const config = spec.rubric.find((c) => c.name === score.name);
    if (config === undefined)
      throw new AppError('ERR_BAD_REQUEST', `scores[${i}].name: '${score.name}' is not in the rubric (${spec.rubric.map((c) => c.name).join(', ')})`);
    if (seen.has(score.name)) throw new AppError('ERR_BAD_REQUEST', `scores[${i}].name: '${score.name}' is given twice`);
    seen.add(score.name);
    const problem = configuredScoreProblem(config, score, `scores[${i}]`);
    if (problem !== null) throw new AppError('ERR_BAD_REQUEST', problem);
    return { name: config.name, ...configuredScore(config, score) };
  });
}

export function progressOf(states: Iterable<ItemState>, reviewersPerItem: number): QueueProgress {
  const progress: QueueProgress = { items: 0, done: 0, held: 0, reviews: 0, reviewers: [] };
  const by = new Map<string, { reviewer: string; submitted: number; skipped: number }>();
  const of = (reviewer: string) => by.get(reviewer) ?? by.set(reviewer, { reviewer, submitted: 0, skipped: 0 }).get(reviewer)!;
  for (const s of states) {
    progress.items++;
    if (s.reviews.size >= reviewersPerItem) progress.done++;
    if (s.holder !== null) progress.held++;
    progress.reviews += s.reviews.size;
    for (const reviewer of s.reviews.keys()) of(reviewer).submitted++;
    for (const reviewer of s.skipped) of(reviewer).skipped++;
  }
  progress.reviewers = [...by.values()].sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1));
  return progress;
}
