import {
  EVALUATION_EVENT,
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type Attributes,
  type LlmFields,
  type PriceBook,
  type ScoreRecord,
  type SpanCategory,
  type SpanEventRecord,
  type SpanRecord,
  type SpanStatus,
} from '@spoor/model';
import type { SpanFacts } from '../metrics/span-metrics.js';
import { cutShortBy, errorsFromSpans } from '../normalize/error-occurrences.js';
import { type CallSpan, type NormalizedFields, RUNNING_END_US, countEachCallOnce, normalizeSpan } from '../normalize/normalize.js';
import { scoresFromSpans } from '../normalize/scores.js';
import { BatchBuilder, type Column, ColumnArena, type ColumnBuilder, NumberBuilder, SparseVarcharBuilder, type TableBatch, Utf8Builder, VarcharBuilder, numberValues } from '../store/columns.js';
import { SourceIds } from '../store/sources.js';
import { LLM_RESPONSES, LLM_RESPONSE_ID, SPANS, type WriteBatch, errorColumns, scoreColumns, tracePartColumns } from '../store/tables.js';
import { TracePartsBuilder } from '../store/trace-parts.js';
import { ID_WORDS, type SpanIdWords, wordsHash } from './recent-spans.js';
import { rangeProblem } from './limits.js';
import { LEAVE } from './json/scanner.js';
import { JsonSpanReader, planJsonSpans } from './json/trace-columns.js';
import { SpanReader, planSpans } from './protobuf/trace-columns.js';
import { replacedStringCount, resetReplacedStrings } from './protobuf/wire.js';
import { NO_ATTRIBUTES, type SpanFields, type SpanPlan, type SpanSource } from './span-source.js';

/**
 * The hot path of ingest: an OTLP trace request, protobuf or JSON, decoded straight into the
 * column batch the writer stores. Each span is read into one reused view (a `SpanSource`:
 * `protobuf/trace-columns.ts` or `json/trace-columns.ts`), normalized from the
 * few attributes a convention reads, and written into the `spans` columns as it goes; the batch's
 * LLM calls are then counted once (`countEachCallOnce`, over the LLM spans only) and the columns
 * that depend on it filled. No span record is made, but for the rare span that is an error, or
 * carries an evaluation event, to find those as `decode.ts` does.
 *
 * It stores exactly what `decodeBatch` stores (`decode-columns.test.ts` compares every column),
 * and leaves every request out of the ordinary to it, answering why (`ColumnsLeft`): a body it
 * cannot read (the record path says why), a span that would be rejected, a duplicate, a span
 * received before, a running snapshot, attributes JSON.stringify would order otherwise, OTLP/JSON
 * its reader does not take. Masking takes the record path too (`DecodeCore`).
 */

/** A request decoded into its batch, and what `DecodeCore` keeps of its spans until it is settled. */
export interface DecodedColumns {
  batch: WriteBatch;
  records: number;
  refusedEvaluations: number;
  spans: SpanFacts;
  /** Each span's ids as `ID_WORDS` words, and their `wordsHash`, in row order. */
  ids: SpanIdWords;
  scores: ScoreRecord[];
}

/**
 * Whether a span was received in an earlier request (claims, counted by `DecodeCore`): the span
 * whose `ID_WORDS` words are `words[at ..]`, `hash` their `wordsHash`, both handed back in
 * `DecodedColumns.ids` for the claims.
 */
export type RecentCheck = (words: Int32Array, at: number, hash: number) => boolean;

/** Column numbers of `SPANS`. */
const C = Object.fromEntries(SPANS.map((spec, i) => [spec.name, i])) as Record<string, number>;

/**
 * Why the column path left a request to the record path: its reader does not read the body as it
 * is spelled (`body`), a string that is not valid UTF-8 (`utf8`: the record path repairs and
 * counts each), no span, attributes JSON.stringify would order otherwise, a running
 * snapshot, ids or times the record path rejects, a span twice in the request or received
 * before; or it threw (`thrown`): a malformed body, which the record path refuses too, or else a
 * fault of the column path's own (`DecodeCore` tells them apart).
 */
export type ColumnsLeft = 'body' | 'utf8' | 'empty' | 'attributes' | 'running' | 'rejected' | 'repeated' | 'received' | 'thrown';

export function decodeTraceColumns(
  encoding: 'protobuf' | 'json',
  body: Uint8Array,
  projectId: string,
  receivedUs: number,
  prices: PriceBook | undefined,
  recent: RecentCheck | undefined,
): DecodedColumns | ColumnsLeft {
  try {
    if (encoding === 'json') return decode(planJsonSpans(body), new JsonSpanReader(body), projectId, receivedUs, prices, recent);
    resetReplacedStrings();
    const decoded = decode(planSpans(body), new SpanReader(body), projectId, receivedUs, prices, recent);
    return replacedStringCount() > 0 ? 'utf8' : decoded;
  } catch (error) {
    return error === LEAVE ? 'body' : 'thrown';
  }
}

function decode(plan: SpanPlan, reader: SpanSource, projectId: string, receivedUs: number, prices: PriceBook | undefined, recent: RecentCheck | undefined): DecodedColumns | ColumnsLeft {
  const n = plan.count;
  if (n === 0) return 'empty';
  const columns = new SpanColumns(n);
  const sources = new SourceIds();
  const seen = requestSpans.reset(n);
  const spanHashes = new Int32Array(n);
  const spanIdWords = new Int32Array(n * ID_WORDS);
  const traceIds = new Array<string>(n);
  /** Where each row's parent id is in its column's bytes; -1 for a root. */
  const parentAt = new Int32Array(n);
  const names = new Array<string>(n);
  const serviceNames = new Array<string>(n);
  const statuses = new Array<SpanStatus>(n);
  const views = new Array<Attributes>(n);
  const events = new Array<SpanEventRecord[]>(n);
  const sessionIds = new Array<string | null>(n);
  const userIds = new Array<string | null>(n);
  const llm = new Array<LlmFields | null>(n);
  const categories = new Array<SpanCategory>(n);
  const kinds = new Uint8Array(n);
  const failed = new Uint8Array(n);
  const startUs = new Float64Array(n);
  const endUs = new Float64Array(n);
  const calls: Array<CallSpan & { row: number }> = [];
  const view: NormalizedFields = { name: '', attributes: NO_ATTRIBUTES, scope: plan.groups[0]!.scope, startTimeUs: 0, endTimeUs: 0, llm: null, category: 'other', sessionId: null, userId: null };
  for (let row = 0; row < n; row++) {
    const f = reader.read(plan.offsets[row]!, columns.attributes);
    if (f.irregular) return 'attributes';
    if (f.endTimeUs === RUNNING_END_US) return 'running';
    if (!idsValid(f) || rangeProblem(f) !== null) return 'rejected';
    const at = row * ID_WORDS;
    spanIdWords.set(f.idWords, at);
    const hash = wordsHash(spanIdWords, at);
    if (!seen.add(spanIdWords, row, hash)) return 'repeated';
    spanHashes[row] = hash;
    if (recent?.(spanIdWords, at, hash) === true) return 'received';
    const group = plan.groups[plan.groupOf[row]!]!;
    view.name = f.name;
    view.attributes = f.view;
    view.scope = group.scope;
    view.startTimeUs = f.startTimeUs;
    view.endTimeUs = f.endTimeUs;
    normalizeSpan(view, prices);
    const kind = SPAN_KINDS[f.kind] === undefined ? 0 : f.kind;
    const status = STATUS_CODES.indexOf(f.status.code);
    columns.varchar(C.project_id!, projectId);
    columns.varchar(C.trace_id!, f.traceId);
    columns.spanIds.hex(reader.ids, f.spanIdAt, f.spanIdBytes);
    columns.spanIds.endRow();
    if (f.parentIdBytes === 0) {
      parentAt[row] = -1;
      columns.parentIds.nullRow();
    } else {
      parentAt[row] = columns.parentIds.at;
      columns.parentIds.hex(reader.ids, f.parentIdAt, f.parentIdBytes);
      columns.parentIds.endRow();
    }
    columns.varchar(C.trace_state!, f.traceState);
    columns.number(C.flags!, row, f.flags);
    columns.varchar(C.name!, f.name);
    columns.number(C.kind!, row, kind);
    columns.varchar(C.service_name!, group.serviceName);
    columns.number(C.start_us!, row, view.startTimeUs);
    columns.number(C.end_us!, row, view.endTimeUs);
    columns.number(C.duration_us!, row, Math.max(0, view.endTimeUs - view.startTimeUs));
    columns.number(C.status_code!, row, status);
    columns.varchar(C.status_message!, f.status.message);
    columns.varchar(C.source_id!, sources.idOf(projectId, group.resource, group.scope));
    columns.varchar(C.events!, f.events.length === 0 ? '[]' : JSON.stringify(f.events));
    columns.varchar(C.links!, f.links.length === 0 ? '[]' : JSON.stringify(f.links));
    columns.number(C.dropped_attributes!, row, f.droppedAttributesCount);
    columns.number(C.dropped_events!, row, f.droppedEventsCount);
    columns.number(C.dropped_links!, row, f.droppedLinksCount);
    columns.varchar(C.session_id!, view.sessionId);
    columns.varchar(C.user_id!, view.userId);
    traceIds[row] = f.traceId;
    names[row] = f.name;
    serviceNames[row] = group.serviceName;
    statuses[row] = f.status;
    views[row] = f.view;
    events[row] = f.events;
    sessionIds[row] = view.sessionId;
    userIds[row] = view.userId;
    llm[row] = view.llm;
    categories[row] = view.category;
    kinds[row] = kind;
    failed[row] = status === 2 ? 1 : 0;
    startUs[row] = view.startTimeUs;
    endUs[row] = view.endTimeUs;
    if (view.llm !== null) {
      calls.push({ row, traceId: f.traceId, spanId: spanIdOf(row), parentSpanId: parentIdOf(row), scope: group.scope, startTimeUs: view.startTimeUs, endTimeUs: view.endTimeUs, llm: view.llm, category: view.category });
    }
  }
  // What an LLM span around another is: a step (`normalizeSpans` does the same over records).
  countEachCallOnce(calls);
  for (const call of calls) {
    llm[call.row] = call.llm;
    categories[call.row] = call.category;
  }
  const parts = new TracePartsBuilder();
  let responses = 0;
  let errorSpans: SpanRecord[] | null = null;
  let scoredSpans: SpanRecord[] | null = null;
  for (let row = 0; row < n; row++) {
    const fields = llm[row] ?? null;
    columns.llm(row, fields);
    const category = SPAN_CATEGORIES.indexOf(categories[row]!);
    columns.number(C.category!, row, category);
    parts.add(projectId, traceIds[row]!, startUs[row]!, endUs[row]!, failed[row] === 1, names[row]!, serviceNames[row]!, parentAt[row]! < 0, sessionIds[row] ?? null, userIds[row] ?? null, fields, category);
    if (fields !== null && typeof views[row]![LLM_RESPONSE_ID] === 'string') responses++;
    const rowEvents = events[row]!;
    const isError = failed[row] === 1 || cutShortBy(fields) !== null;
    const scored = rowEvents.length > 0 && rowEvents.some((event) => event.name === EVALUATION_EVENT);
    if (isError || scored) {
      const record = recordOf(row);
      if (isError) (errorSpans ??= []).push(record);
      if (scored) (scoredSpans ??= []).push(record);
    }
  }
  const tables: TableBatch[] = [];
  if (sources.size > 0) tables.push(sources.columns());
  tables.push(columns.build(), tracePartColumns(parts.parts()));
  if (responses > 0) tables.push(responseColumns(responses));
  const errors = errorSpans === null ? [] : errorsFromSpans(errorSpans);
  if (errors.length > 0) tables.push(errorColumns(errors));
  const found = scoredSpans === null ? null : scoresFromSpans(scoredSpans);
  const scores = found?.scores ?? [];
  if (scores.length > 0) tables.push(scoreColumns(scores, receivedUs));
  return {
    batch: { records: n, tables },
    records: n,
    refusedEvaluations: found?.refusedEvents ?? 0,
    spans: { count: n, projectId, serviceNames, kinds, failed, startUs, endUs, llm },
    ids: { words: spanIdWords, hashes: spanHashes },
    scores,
  };

  /** A row's span id, made a string where one is needed (LLM calls, errors, scores, responses). */
  function spanIdOf(row: number): string {
    return columns.spanIds.bytes.toString('latin1', row * 16, row * 16 + 16);
  }

  function parentIdOf(row: number): string | null {
    const at = parentAt[row]!;
    return at < 0 ? null : columns.parentIds.bytes.toString('latin1', at, at + 16);
  }

  /** The record of a row, for what finds errors and scores (which read no more than this). */
  function recordOf(row: number): SpanRecord {
    const group = plan.groups[plan.groupOf[row]!]!;
    return {
      projectId,
      traceId: traceIds[row]!,
      spanId: spanIdOf(row),
      parentSpanId: parentIdOf(row),
      traceState: '',
      flags: 0,
      name: names[row]!,
      kind: SPAN_KINDS[kinds[row]!]!,
      serviceName: serviceNames[row]!,
      startTimeUs: startUs[row]!,
      endTimeUs: endUs[row]!,
      status: statuses[row]!,
      attributes: views[row]!,
      resource: group.resource,
      scope: group.scope,
      events: events[row]!,
      links: [],
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      llm: llm[row] ?? null,
      sessionId: sessionIds[row] ?? null,
      userId: userIds[row] ?? null,
      category: categories[row]!,
    };
  }

  /** The LLM response ids (`tables.ts` llmResponseColumns). */
  function responseColumns(count: number): TableBatch {
    const b = new BatchBuilder('llm_responses', LLM_RESPONSES, count);
    for (let row = 0; row < n; row++) {
      const id = llm[row] === null ? undefined : views[row]![LLM_RESPONSE_ID];
      if (typeof id !== 'string') continue;
      b.varchar(projectId).varchar(id).varchar(traceIds[row]!).varchar(spanIdOf(row)).number(startUs[row]!);
      b.endRow();
    }
    return b.build();
  }
}

/**
 * Whether a span's ids are valid, as `spanIdsProblem` says of their hex (16 and 8 bytes, not all
 * zero; a parent of 8 bytes or none), from their lengths and words: no id string is made.
 */
function idsValid(f: SpanFields): boolean {
  const w = f.idWords;
  if (f.traceId.length !== 32 || (w[0]! | w[1]! | w[2]! | w[3]!) === 0) return false;
  if (f.spanIdBytes !== 8 || (w[4]! | w[5]!) === 0) return false;
  return f.parentIdBytes === 0 || f.parentIdBytes === 8;
}

/**
 * The span ids of the request being decoded, to find one twice: an open-addressed table of rows
 * by `wordsHash`, reused from request to request (a generation stamp empties it).
 */
class RequestSpans {
  private rows = new Int32Array(0);
  private stamps = new Int32Array(0);
  private mask = 0;
  private stamp = 0;

  reset(count: number): this {
    let size = 16;
    while (size < count * 2) size *= 2;
    if (size > this.rows.length) {
      this.rows = new Int32Array(size);
      this.stamps = new Int32Array(size);
    }
    this.mask = this.rows.length - 1;
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    return this;
  }

  /** Adds `row`'s span id (`words[row * ID_WORDS ..]`); false when an earlier row holds it. */
  add(words: Int32Array, row: number, hash: number): boolean {
    const { rows, stamps, mask, stamp } = this;
    const span0 = words[row * ID_WORDS + 4];
    const span1 = words[row * ID_WORDS + 5];
    let at = hash & mask;
    for (; stamps[at] === stamp; at = (at + 1) & mask) {
      const other = rows[at]! * ID_WORDS;
      if (words[other + 4] === span0 && words[other + 5] === span1) return false;
    }
    stamps[at] = stamp;
    rows[at] = row;
    return true;
  }
}

const requestSpans = new RequestSpans();

/**
 * The `spans` table's columns, filled column by column: a column's values in row order, the LLM
 * columns after the rest (once the batch's calls are counted). The same builders `BatchBuilder`
 * uses, so the columns are the ones `spanColumns` makes of records.
 */
class SpanColumns {
  private readonly builders: ColumnBuilder[];
  /** Each varchar column's next row: its values come in row order. */
  private readonly next = new Int32Array(SPANS.length);

  /** The attributes' JSON, which the span reader writes (`SpanReader.read`). */
  readonly attributes: Utf8Builder;
  /** The span and parent ids' hex, written from the body's bytes (`Utf8Builder.hex`). */
  readonly spanIds: Utf8Builder;
  readonly parentIds: Utf8Builder;

  constructor(private readonly rows: number) {
    // The ids' hex too: 16 bytes a row at most, in each of two columns.
    const arena = new ColumnArena(ColumnArena.bytesFor(SPANS, rows) + 2 * (rows * 16 + 8));
    this.attributes = new Utf8Builder(rows, ATTRIBUTE_BYTES, arena);
    this.spanIds = new Utf8Builder(rows, 16, arena, true);
    this.parentIds = new Utf8Builder(rows, 16, arena, true);
    this.builders = SPANS.map((spec, column) => {
      if (column === C.attributes) return this.attributes;
      if (column === C.span_id) return this.spanIds;
      if (column === C.parent_span_id) return this.parentIds;
      if (spec.type === 'varchar') return LLM_TEXT.includes(column) ? new SparseVarcharBuilder(rows, arena) : new VarcharBuilder(rows, arena);
      // `number` sets values as numbers: no list or 64-bit integer column.
      if (spec.type === 'double[]' || spec.type === 'int64') throw new Error(`spans.${spec.name}: no ${spec.type} column in the spans table`);
      const builder = new NumberBuilder(spec.type, numberValues(spec.type, rows, arena), arena);
      return LLM_NUMBERS.includes(column) ? builder.allNull() : builder;
    });
  }

  varchar(column: number, value: string | null): void {
    (this.builders[column] as VarcharBuilder).add(this.rowOf(column), value);
  }

  number(column: number, row: number, value: number | null): void {
    const builder = this.builders[column] as NumberBuilder;
    if (value === null) builder.setNull(row);
    else (builder.values as Float64Array)[row] = value;
  }

  /** The LLM columns of a row, left NULL for a span that is no LLM call (they start NULL: `allNull`, `SparseVarcharBuilder`). */
  llm(row: number, llm: LlmFields | null): void {
    this.number(C.is_llm!, row, llm === null ? 0 : 1);
    if (llm === null) return;
    this.llmText(C.llm_provider!, row, llm.provider);
    this.llmText(C.llm_operation!, row, llm.operation);
    this.llmText(C.llm_request_model!, row, llm.requestModel);
    this.llmText(C.llm_response_model!, row, llm.responseModel);
    this.llmNumber(C.input_tokens!, row, llm.inputTokens);
    this.llmNumber(C.output_tokens!, row, llm.outputTokens);
    this.llmNumber(C.total_tokens!, row, llm.totalTokens);
    this.llmNumber(C.cache_read_tokens!, row, llm.cacheReadInputTokens);
    this.llmNumber(C.cache_creation_tokens!, row, llm.cacheCreationInputTokens);
    this.llmNumber(C.reasoning_tokens!, row, llm.reasoningTokens);
    this.llmNumber(C.cost_usd!, row, llm.costUsd);
    this.llmNumber(C.ttft_ms!, row, llm.timeToFirstTokenMs);
    this.llmText(C.finish_reasons!, row, llm.finishReasons === null ? null : JSON.stringify(llm.finishReasons));
    this.llmText(C.cost_source!, row, llm.costSource);
  }

  /** A value of an LLM text column, which starts NULL; set in row order. */
  private llmText(column: number, row: number, value: string | null): void {
    (this.builders[column] as SparseVarcharBuilder).set(row, value);
  }

  /** A value of an LLM number column, which starts NULL. */
  private llmNumber(column: number, row: number, value: number | null): void {
    if (value === null) return;
    const builder = this.builders[column] as NumberBuilder;
    (builder.values as Float64Array)[row] = value;
    builder.setValid(row);
  }

  build(): TableBatch {
    return { table: 'spans', rows: this.rows, columns: this.builders.map((b): Column => b.build(this.rows)) };
  }

  private rowOf(column: number): number {
    return this.next[column]!++;
  }
}

/** What a span's attributes take as JSON, about, to start the column's buffer (it grows as needed). */
const ATTRIBUTE_BYTES = 160;

const LLM_TEXT = ['llm_provider', 'llm_operation', 'llm_request_model', 'llm_response_model', 'finish_reasons', 'cost_source'].map((name) => C[name]!);
const LLM_NUMBERS = ['input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens', 'cost_usd', 'ttft_ms'].map((name) => C[name]!);
