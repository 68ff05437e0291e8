import { SPAN_CATEGORIES, SPAN_STATES, STATUS_CODES } from '@spoor/model';

/**
 * A trace's spans as growable typed-array columns, in the order they arrived (span index `i` is
 * element `i` of every column): what the waterfall keeps of a trace, with no object and no string
 * per span. Ids are 64-bit words (high, low) found through an open-addressing table on typed
 * arrays; names, services and models are indexes into one string table. A 1,000,000-span trace is
 * about 90 bytes a span this way, against several hundred as JSON objects.
 *
 * Spans are added in batches (a chunk of the binary tree stream, the JSON tree, a live update) and
 * may be replaced by id (`upsert`): a running span's new duration and state change it in place;
 * only a new span, or a span moved (new parent or start), asks for a new tree order (`structure`).
 */

/** `state` of a span, as an index into `SPAN_STATES`: ended, still running, or running but its trace went quiet (shown, never as an error). */
export const ENDED = SPAN_STATES.indexOf('ended');
export const RUNNING = SPAN_STATES.indexOf('running');
export const ABANDONED = SPAN_STATES.indexOf('abandoned');

/** Index of `error` in `STATUS_CODES`. */
export const STATUS_ERROR = STATUS_CODES.indexOf('error');
/** Index of `llm` in `SPAN_CATEGORIES`. */
const CATEGORY_LLM = SPAN_CATEGORIES.indexOf('llm');

/**
 * A batch of spans as columns: element `i` of each is span `i` of the batch. Ids are 64-bit, as
 * their high and low 32 bits (unsigned); a parent of 0:0 is none. Names, services, models and event
 * names are indexes into `strings` (a model index of -1, or past the table, is none): a table that
 * grows from batch to batch (as the binary tree stream's does) is interned only where it grew.
 * Times are microseconds after the trace's origin. Tokens and cost are NaN where unknown.
 */
export interface SpanBatch {
  count: number;
  idHigh: ArrayLike<number>;
  idLow: ArrayLike<number>;
  parentHigh: ArrayLike<number>;
  parentLow: ArrayLike<number>;
  startUs: ArrayLike<number>;
  durationUs: ArrayLike<number>;
  /** Index into `STATUS_CODES` (`STATUS_ERROR` is error). */
  status: ArrayLike<number>;
  /** Index into `SPAN_CATEGORIES`. */
  category: ArrayLike<number>;
  /** Index into `SPAN_STATES`; all ended when absent. */
  state?: ArrayLike<number>;
  nameIndex: ArrayLike<number>;
  serviceIndex: ArrayLike<number>;
  modelIndex: ArrayLike<number>;
  strings: readonly string[];
  inputTokens?: ArrayLike<number>;
  outputTokens?: ArrayLike<number>;
  costUsd?: ArrayLike<number>;
  /** Span events, one per element: the span's index in the batch, offset µs, name index. */
  events?: { span: ArrayLike<number>; offsetUs: ArrayLike<number>; nameIndex: ArrayLike<number> };
}

/** What an `add` or `upsert` did. */
export interface BatchResult {
  added: number;
  replaced: number;
  /** Whether the tree order must be rebuilt: a span was added, or one moved (parent or start). */
  structure: boolean;
}

/** A string table: each distinct string once, with its index (what a batch's and the columns' `strings` are). */
export class StringTable {
  readonly list: string[] = [];
  private readonly indexOf = new Map<string, number>();

  intern(text: string): number {
    let index = this.indexOf.get(text);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(text);
      this.indexOf.set(text, index);
    }
    return index;
  }
}

const INITIAL_CAPACITY = 64;

export class SpanColumns {
  /** How many spans. */
  count = 0;
  /** Bumped by every change: what a view keyed on the columns compares. */
  version = 0;
  /** Bumped when the tree order must be rebuilt. */
  structureVersion = 0;
  idHigh = new Uint32Array(INITIAL_CAPACITY);
  idLow = new Uint32Array(INITIAL_CAPACITY);
  parentHigh = new Uint32Array(INITIAL_CAPACITY);
  parentLow = new Uint32Array(INITIAL_CAPACITY);
  /** Microseconds after `originUs`. */
  startUs = new Float64Array(INITIAL_CAPACITY);
  durationUs = new Float64Array(INITIAL_CAPACITY);
  status = new Uint8Array(INITIAL_CAPACITY);
  category = new Uint8Array(INITIAL_CAPACITY);
  state = new Uint8Array(INITIAL_CAPACITY);
  name = new Int32Array(INITIAL_CAPACITY);
  service = new Int32Array(INITIAL_CAPACITY);
  /** -1: no model. */
  model = new Int32Array(INITIAL_CAPACITY);
  /** NaN where unknown. */
  inputTokens = new Float64Array(INITIAL_CAPACITY);
  outputTokens = new Float64Array(INITIAL_CAPACITY);
  costUsd = new Float64Array(INITIAL_CAPACITY);
  /** How many times the span came in one load (`add`): more than 1 is a span stored twice. */
  copies = new Int32Array(INITIAL_CAPACITY);
  /** Names, services and models: `name`, `service` and `model` index into it. */
  private readonly table = new StringTable();
  /** The last batch's string table and where each of its entries is in ours. */
  private batchTable: readonly string[] | null = null;
  private batchRemap = new Int32Array(0);
  /** Span index -> its events as [offset µs, name]; only the few spans that have any. */
  readonly events = new Map<number, [number, string][]>();
  /** Open addressing, linear probing, at most half full: slot -> span index, -1 empty. */
  private slots = new Int32Array(2 * INITIAL_CAPACITY).fill(-1);

  // Totals kept as spans come and go, so a live update never walks every span.
  errorCount = 0;
  /** Spans that run (not ended, not abandoned). */
  runningCount = 0;
  llmCalls = 0;
  inputTokenTotal = 0;
  outputTokenTotal = 0;
  costTotalUsd = 0;
  costCount = 0;
  /** LLM calls with tokens but no cost: no price was known for their model. */
  unpricedCalls = 0;
  /** Earliest start and latest end, µs after the origin; the end is recomputed when its span shrinks. */
  minStartUs = Infinity;
  maxEndUs = -Infinity;
  private maxEndStale = false;

  /** The first session id a span of the trace carries. */
  sessionId: string | null = null;

  constructor(
    readonly traceId: string,
    /** Epoch microseconds every offset counts from. */
    readonly originUs: number,
  ) {}

  /** The string table `name`, `service` and `model` index into. */
  get strings(): readonly string[] {
    return this.table.list;
  }

  /** Where each entry of a batch's table is in ours: interned only where the table grew since the last batch. */
  private remap(strings: readonly string[]): Int32Array {
    let from = 0;
    if (strings === this.batchTable && this.batchRemap.length <= strings.length) from = this.batchRemap.length;
    if (from === strings.length) return this.batchRemap;
    const remap = new Int32Array(strings.length);
    remap.set(this.batchRemap.subarray(0, from));
    for (let k = from; k < strings.length; k++) remap[k] = this.table.intern(strings[k]!);
    this.batchTable = strings;
    this.batchRemap = remap;
    return remap;
  }

  /** The latest end, µs after the origin (0 for no spans). */
  endUs(): number {
    if (this.maxEndStale) {
      let max = -Infinity;
      for (let i = 0; i < this.count; i++) max = Math.max(max, this.startUs[i]! + this.durationUs[i]!);
      this.maxEndUs = max;
      this.maxEndStale = false;
    }
    return this.count === 0 ? 0 : this.maxEndUs;
  }

  /** The span index of an id, or -1. */
  indexOfWords(high: number, low: number): number {
    return this.slots[this.slotOf(high >>> 0, low >>> 0)]!;
  }

  /** The span index of a 16-hex-digit id, or -1 (also for text that is no such id). */
  indexOf(spanId: string): number {
    if (!/^[0-9a-f]{16}$/.test(spanId)) return -1;
    return this.indexOfWords(parseInt(spanId.slice(0, 8), 16), parseInt(spanId.slice(8), 16));
  }

  /** Span `i`'s id as 16 hex digits. */
  spanId(i: number): string {
    return hex8(this.idHigh[i]!) + hex8(this.idLow[i]!);
  }

  /** Span `i`'s parent id, or `null`. */
  parentSpanId(i: number): string | null {
    const high = this.parentHigh[i]!;
    const low = this.parentLow[i]!;
    return high === 0 && low === 0 ? null : hex8(high) + hex8(low);
  }

  /**
   * Adds a batch of a load: a span whose id is already held counts as a copy (`copies`), and the
   * copy that ended last is kept (a finished span over a snapshot of it), as the model's resolver
   * keeps it.
   */
  add(batch: SpanBatch): BatchResult {
    return this.merge(batch, true);
  }

  /**
   * Adds or replaces spans by id (a live update): a new snapshot of a running span replaces the
   * old one; an ended span is never replaced by a running snapshot of itself.
   */
  upsert(batch: SpanBatch): BatchResult {
    return this.merge(batch, false);
  }

  private merge(batch: SpanBatch, countCopies: boolean): BatchResult {
    const n = batch.count;
    this.reserve(this.count + n);
    const strings = this.remap(batch.strings);
    const empty = this.table.intern('');
    const at = new Int32Array(n);
    let added = 0;
    let replaced = 0;
    let structure = false;
    for (let k = 0; k < n; k++) {
      const high = batch.idHigh[k]! >>> 0;
      const low = batch.idLow[k]! >>> 0;
      const slot = this.slotOf(high, low);
      let i = this.slots[slot]!;
      const state = batch.state?.[k] ?? ENDED;
      const startUs = batch.startUs[k]!;
      const durationUs = batch.durationUs[k]!;
      if (i === -1) {
        i = this.count++;
        this.slots[slot] = i;
        this.idHigh[i] = high;
        this.idLow[i] = low;
        this.copies[i] = 1;
        added++;
        structure = true;
      } else {
        if (countCopies) this.copies[i]!++;
        const oldEnd = this.startUs[i]! + this.durationUs[i]!;
        // An ended span stays over a running snapshot; of two copies of a load, the later end stays.
        const ended = this.state[i] === ENDED;
        const keep = (ended && state !== ENDED) || (countCopies && (ended || state !== ENDED) && startUs + durationUs <= oldEnd);
        if (keep) {
          at[k] = -1;
          continue;
        }
        this.forget(i);
        const parentMoved = this.parentHigh[i] !== batch.parentHigh[k]! >>> 0 || this.parentLow[i] !== batch.parentLow[k]! >>> 0;
        if (parentMoved || this.startUs[i] !== startUs) structure = true;
        if (oldEnd === this.maxEndUs && startUs + durationUs < oldEnd) this.maxEndStale = true;
        replaced++;
      }
      at[k] = i;
      this.parentHigh[i] = batch.parentHigh[k]! >>> 0;
      this.parentLow[i] = batch.parentLow[k]! >>> 0;
      this.startUs[i] = startUs;
      this.durationUs[i] = durationUs;
      this.status[i] = batch.status[k]!;
      this.category[i] = batch.category[k]!;
      this.state[i] = state;
      this.name[i] = strings[batch.nameIndex[k]!] ?? empty;
      this.service[i] = strings[batch.serviceIndex[k]!] ?? empty;
      this.model[i] = strings[batch.modelIndex[k]!] ?? -1;
      this.inputTokens[i] = batch.inputTokens?.[k] ?? NaN;
      this.outputTokens[i] = batch.outputTokens?.[k] ?? NaN;
      this.costUsd[i] = batch.costUsd?.[k] ?? NaN;
      this.tally(i);
    }
    const events = batch.events;
    for (let e = 0; events !== undefined && e < events.span.length; e++) {
      const i = at[events.span[e]!];
      if (i === undefined || i === -1) continue;
      let list = this.events.get(i);
      if (list === undefined) this.events.set(i, (list = []));
      list.push([events.offsetUs[e]!, batch.strings[events.nameIndex[e]!] ?? '']);
    }
    if (added + replaced > 0) this.version++;
    if (structure) this.structureVersion++;
    return { added, replaced, structure };
  }

  /** Adds span `i` to the totals. */
  private tally(i: number): void {
    if (this.status[i] === STATUS_ERROR) this.errorCount++;
    if (this.state[i] === RUNNING) this.runningCount++;
    const input = this.inputTokens[i]!;
    const output = this.outputTokens[i]!;
    if (this.category[i] === CATEGORY_LLM || input === input || output === output) {
      this.llmCalls++;
      if (input === input) this.inputTokenTotal += input;
      if (output === output) this.outputTokenTotal += output;
      const cost = this.costUsd[i]!;
      if (cost === cost) {
        this.costTotalUsd += cost;
        this.costCount++;
      } else if (input === input || output === output) this.unpricedCalls++;
    }
    if (this.startUs[i]! < this.minStartUs) this.minStartUs = this.startUs[i]!;
    const end = this.startUs[i]! + this.durationUs[i]!;
    if (end > this.maxEndUs) this.maxEndUs = end;
  }

  /** Takes span `i` out of the totals and drops its events, before it is replaced. */
  private forget(i: number): void {
    if (this.status[i] === STATUS_ERROR) this.errorCount--;
    if (this.state[i] === RUNNING) this.runningCount--;
    const input = this.inputTokens[i]!;
    const output = this.outputTokens[i]!;
    if (this.category[i] === CATEGORY_LLM || input === input || output === output) {
      this.llmCalls--;
      if (input === input) this.inputTokenTotal -= input;
      if (output === output) this.outputTokenTotal -= output;
      const cost = this.costUsd[i]!;
      if (cost === cost) {
        this.costTotalUsd -= cost;
        this.costCount--;
      } else if (input === input || output === output) this.unpricedCalls--;
    }
    this.events.delete(i);
  }

  private slotOf(high: number, low: number): number {
    const mask = this.slots.length - 1;
    let h = Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b);
    h = (h ^ (h >>> 15)) & mask;
    for (let i = this.slots[h]!; i !== -1 && (this.idHigh[i] !== high || this.idLow[i] !== low); i = this.slots[h]!) h = (h + 1) & mask;
    return h;
  }

  /** Room for `size` spans: every column doubles, so n spans cost O(n) copying in all. */
  private reserve(size: number): void {
    const capacity = this.idHigh.length;
    if (size <= capacity) return;
    let next = capacity;
    while (next < size) next *= 2;
    const grow = <T extends Uint32Array | Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const fresh = make(next);
      fresh.set(old.subarray(0, this.count) as never);
      return fresh;
    };
    this.idHigh = grow(this.idHigh, (n) => new Uint32Array(n));
    this.idLow = grow(this.idLow, (n) => new Uint32Array(n));
    this.parentHigh = grow(this.parentHigh, (n) => new Uint32Array(n));
    this.parentLow = grow(this.parentLow, (n) => new Uint32Array(n));
    this.startUs = grow(this.startUs, (n) => new Float64Array(n));
    this.durationUs = grow(this.durationUs, (n) => new Float64Array(n));
    this.status = grow(this.status, (n) => new Uint8Array(n));
    this.category = grow(this.category, (n) => new Uint8Array(n));
    this.state = grow(this.state, (n) => new Uint8Array(n));
    this.name = grow(this.name, (n) => new Int32Array(n));
    this.service = grow(this.service, (n) => new Int32Array(n));
    this.model = grow(this.model, (n) => new Int32Array(n));
    this.inputTokens = grow(this.inputTokens, (n) => new Float64Array(n));
    this.outputTokens = grow(this.outputTokens, (n) => new Float64Array(n));
    this.costUsd = grow(this.costUsd, (n) => new Float64Array(n));
    this.copies = grow(this.copies, (n) => new Int32Array(n));
    // The id table is rebuilt at twice the new capacity: it stays at most half full.
    this.slots = new Int32Array(2 * next).fill(-1);
    for (let i = 0; i < this.count; i++) this.slots[this.slotOf(this.idHigh[i]!, this.idLow[i]!)] = i;
  }
}

const hex8 = (word: number): string => (word >>> 0).toString(16).padStart(8, '0');

/** The high and low 32 bits of a 16-hex-digit id; 0:0 for anything else (no id). */
export function wordsOfId(spanId: string | null | undefined): [number, number] {
  if (spanId == null || !/^[0-9a-f]{16}$/.test(spanId)) return [0, 0];
  return [parseInt(spanId.slice(0, 8), 16), parseInt(spanId.slice(8), 16)];
}
