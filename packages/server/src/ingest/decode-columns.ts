import {
  EVALUATION_EVENT,
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type Attributes,
  type LlmFields,
  type PriceBook,
  type SpanCategory,
  type SpanEventRecord,
  type SpanLink,
  type SpanRecord,
  type SpanStatus,
} from '@spoor/model';
import { cutShortBy, errorsFromSpans } from '../normalize/error-occurrences.js';
import { type CallSpan, type NormalizedFields, RUNNING_END_US, countEachCallOnce, normalizeSpan } from '../normalize/normalize.js';
import { scoresFromSpans } from '../normalize/scores.js';
import { BatchBuilder, type TableBatch } from '../store/columns.js';
import { SourceIds } from '../store/sources.js';
import { LLM_RESPONSES, LLM_RESPONSE_ID, errorColumns, runningSpanColumns, scoreColumns, spanTextBytes, tracePartColumns } from '../store/tables.js';
import { TracePartsBuilder } from '../store/trace-parts.js';
import { ID_WORDS, type SpanIdWords, wordsHash } from './recent-spans.js';
import { idsProblem, receivedProblem, repeatedProblem } from './decoded.js';
import { rangeProblem, spanRangeProblem } from './limits.js';
import { JsonSpanReader } from './json/trace-columns.js';
import { newJsonPlan, planJsonSpans } from './json/trace-plan.js';
import { jsonRefusal, protobufPlanRefusal } from './decode-refusals.js';
import { SpanReader, planSpans } from './protobuf/trace-columns.js';
import { replacedStringCount, resetReplacedStrings } from './protobuf/wire.js';
import { NO_ATTRIBUTES, type SpanFields, type SpanPlan, type SpanSource, newPlan } from './span-source.js';
import { Rejected, RequestSpans } from './request-spans.js';
import type { RequestMasking } from './masking.js';
import { C, SpanColumns } from './span-columns.js';
import { RunningSnapshots } from './running-snapshots.js';
import { type DecodedColumns, noSpans } from './decoded-columns.js';

/**
 * The hot path of ingest: an OTLP trace request, protobuf or JSON, decoded straight into the
 * column batch the writer stores. Each span is read into one reused view (a `SpanSource`:
 * `protobuf/trace-columns.ts` or `json/trace-columns.ts`), normalized from the
 * few attributes a convention reads, and written into the `spans` columns as it goes; the batch's
 * LLM calls are then counted once (`countEachCallOnce`, over the LLM spans only) and the columns
 * that depend on it filled. No span record is made, but for the rare span that is an error, or
 * carries an evaluation event, to find those as `decode.ts` does.
 *
 * It stores and answers exactly what `decodeBatch` does (`decode-columns.test.ts` compares every
 * column and the answer): a span rejected (its ids, its numbers), twice in the request or
 * received before is dropped, its attributes row taken back, with the same reason; a running
 * snapshot, or a span whose attributes JSON.stringify would order otherwise, is read whole
 * (`SpanSource.readWhole`). Its readers read every spelling OTLP/JSON allows (escaped keys, a
 * field twice, a byte order mark) themselves, and refuse a malformed body naming the fault as the
 * record path does: there is no second reading of a request. A masked project's spans are read whole and masked after the errors and scores are found, value
 * by value as `maskBatch` masks records (`RequestMasking`).
 */

export type { DecodedColumns } from './decoded-columns.js';

/**
 * Whether a span was received in an earlier request (claims, counted by `DecodeCore`): the span
 * whose `ID_WORDS` words are `words[at ..]`, `hash` their `wordsHash`, both handed back in
 * `DecodedColumns.ids` for the claims. Asked once per span the request does not repeat, as the record path asks.
 */
export type RecentCheck = (words: Int32Array, at: number, hash: number) => boolean;

/**
 * Decodes a trace request into columns, or throws what it is refused for: a malformed body's
 * error, as the record path's readers named it (`decode-refusals.ts`).
 */
export function decodeTraceColumns(
  encoding: 'protobuf' | 'json',
  body: Uint8Array,
  projectId: string,
  receivedUs: number,
  prices: PriceBook | undefined,
  recent: RecentCheck | undefined,
  ended?: RecentCheck,
  mask?: () => RequestMasking,
): DecodedColumns {
  if (encoding === 'json') {
    const plan = newJsonPlan();
    try {
      planJsonSpans(body, plan);
      return decode(plan, new JsonSpanReader(body, plan), projectId, receivedUs, prices, recent, ended, mask);
    } catch (error) {
      throw jsonRefusal(body, plan, error);
    }
  }
  resetReplacedStrings();
  const plan = newPlan();
  try {
    planSpans(body, plan);
  } catch (error) {
    throw protobufPlanRefusal(body, plan, error);
  }
  const decoded = decode(plan, new SpanReader(body), projectId, receivedUs, prices, recent, ended, mask);
  decoded.replacedStrings = replacedStringCount();
  return decoded;
}

function decode(
  plan: SpanPlan,
  reader: SpanSource,
  projectId: string,
  receivedUs: number,
  prices: PriceBook | undefined,
  recent: RecentCheck | undefined,
  ended: RecentCheck | undefined,
  mask: (() => RequestMasking) | undefined,
): DecodedColumns {
  const rejected = new Rejected();
  const count = plan.count;
  if (count === 0) return noSpans(projectId, rejected, null, null, receivedUs, mask?.());
  // A masked project's spans are read whole, and the columns masking changes written once they are masked (`maskRows`).
  const whole = mask !== undefined;
  const columns = new SpanColumns(count);
  const sources = new SourceIds();
  const seen = requestSpans.reset(count);
  // Each span's ids at its place in the request, a rejected span's too (`seen` finds them there).
  const spanHashes = new Int32Array(count);
  const spanIdWords = new Int32Array(count * ID_WORDS);
  /** The spans rejected, by their place in the request; `null` while none is. */
  let dropped: Uint8Array | null = null;
  let snapshots: RunningSnapshots | null = null;
  /** Rows kept so far: each array below holds a row per span kept, up to `count`. */
  let n = 0;
  const traceIds = new Array<string>(count);
  /** Where each row's parent id is in its column's bytes; -1 for a root. */
  const parentAt = new Int32Array(count);
  /** Each row's group in the plan. */
  const groupOf = new Int32Array(count);
  const names = new Array<string>(count);
  const serviceNames = new Array<string>(count);
  const statuses = new Array<SpanStatus>(count);
  const views = new Array<Attributes>(count);
  const events = new Array<SpanEventRecord[]>(count);
  const links: SpanLink[][] | null = whole ? new Array<SpanLink[]>(count) : null;
  const sessionIds = new Array<string | null>(count);
  const userIds = new Array<string | null>(count);
  const llm = new Array<LlmFields | null>(count);
  const categories = new Array<SpanCategory>(count);
  const kinds = new Uint8Array(count);
  const failed = new Uint8Array(count);
  const startUs = new Float64Array(count);
  const endUs = new Float64Array(count);
  const calls: Array<CallSpan & { row: number }> = [];
  const view: NormalizedFields = {
    name: '',
    attributes: NO_ATTRIBUTES,
    scope: plan.groups[0]!.scope,
    startTimeUs: 0,
    endTimeUs: 0,
    llm: null,
    category: 'other',
    sessionId: null,
    userId: null,
  };
  for (let i = 0; i < count; i++) {
    const f = whole ? reader.readAll(plan.offsets[i]!, columns.attributes) : reader.read(plan.offsets[i]!, columns.attributes);
    // Checked as `decodeRequest` checks them, in its order; a rejected span's attributes row is taken back.
    if (!idsValid(f)) {
      rejected.ids(idsProblem(f.traceId, reader.spanIdHex(), f.parentIdBytes === 0 || f.parentIdBytes === 8)!);
      drop(i);
      continue;
    }
    if (rangeProblem(f) !== null) {
      rejected.add(spanRangeProblem({ ...f, spanId: reader.spanIdHex() })!, false);
      drop(i);
      continue;
    }
    const at = i * ID_WORDS;
    spanIdWords.set(f.idWords, at);
    const hash = wordsHash(spanIdWords, at);
    spanHashes[i] = hash;
    if (f.endTimeUs === RUNNING_END_US) {
      drop(i);
      (snapshots ??= new RunningSnapshots()).add(
        i,
        reader,
        plan.offsets[i]!,
        columns.attributes,
        plan.groups[plan.groupOf[i]!]!,
        projectId,
        whole ? f : undefined,
      );
      continue;
    }
    if (!seen.add(spanIdWords, i, hash)) {
      rejected.add(repeatedProblem(f.traceId, reader.spanIdHex()), true);
      drop(i);
      continue;
    }
    if (recent?.(spanIdWords, at, hash) === true) {
      rejected.add(receivedProblem(f.traceId, reader.spanIdHex()), true);
      drop(i);
      continue;
    }
    if (whole) columns.attributes.undoRow();
    else if (f.irregular) {
      // Attributes JSON.stringify writes otherwise than they came (a key twice, an integer-like
      // key): the span read whole, its attributes written as the record path writes them.
      columns.attributes.undoRow();
      reader.readWhole(plan.offsets[i]!, columns.attributes);
      columns.attributes.undoRow();
      columns.attributes.text(JSON.stringify(f.view));
      columns.attributes.endRow();
    }
    const row = n++;
    groupOf[row] = plan.groupOf[i]!;
    const group = plan.groups[groupOf[row]!]!;
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
    if (links === null) {
      columns.varchar(C.status_message!, f.status.message);
      columns.varchar(C.source_id!, sources.idOf(projectId, group.resource, group.scope));
      columns.varchar(C.events!, f.events.length === 0 ? '[]' : JSON.stringify(f.events));
      columns.varchar(C.links!, f.links.length === 0 ? '[]' : JSON.stringify(f.links));
      columns.varchar(C.session_id!, view.sessionId);
      columns.varchar(C.user_id!, view.userId);
    } else links[row] = f.links;
    columns.number(C.dropped_attributes!, row, f.droppedAttributesCount);
    columns.number(C.dropped_events!, row, f.droppedEventsCount);
    columns.number(C.dropped_links!, row, f.droppedLinksCount);
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
      calls.push({
        row,
        traceId: f.traceId,
        spanId: spanIdOf(row),
        parentSpanId: parentIdOf(row),
        scope: group.scope,
        startTimeUs: view.startTimeUs,
        endTimeUs: view.endTimeUs,
        llm: view.llm,
        category: view.category,
      });
    }
  }
  const running = snapshots === null ? null : snapshots.latest(spanIdWords, spanHashes, seen, ended, prices);
  // Once every span is read: a body the record path refuses is refused for that, not for its policy.
  const masking = mask?.();
  if (n === 0) return noSpans(projectId, rejected, running, sources, receivedUs, masking);
  // What an LLM span around another is: a step (`normalizeSpans` does the same over records).
  countEachCallOnce(calls);
  for (const call of calls) {
    llm[call.row] = call.llm;
    categories[call.row] = call.category;
  }
  // Errors and scores are found before anything is masked, as the record path finds them.
  let errorSpans: SpanRecord[] | null = null;
  let scoredSpans: SpanRecord[] | null = null;
  for (let row = 0; row < n; row++) {
    const rowEvents = events[row]!;
    const isError = failed[row] === 1 || cutShortBy(llm[row] ?? null) !== null;
    const scored = rowEvents.length > 0 && rowEvents.some((event) => event.name === EVALUATION_EVENT);
    if (isError || scored) {
      const record = recordOf(row);
      if (isError) (errorSpans ??= []).push(record);
      if (scored) (scoredSpans ??= []).push(record);
    }
  }
  const errors = errorSpans === null ? [] : errorsFromSpans(errorSpans);
  const found = scoredSpans === null ? null : scoresFromSpans(scoredSpans);
  const scores = found?.scores ?? [];
  if (masking !== undefined) {
    maskRows(masking);
    for (const span of running?.kept ?? []) masking.span(span);
    masking.errors(errors);
    masking.scores(scores);
  }
  let responses = 0;
  const categoryAt = new Uint8Array(n);
  for (let row = 0; row < n; row++) {
    const fields = llm[row] ?? null;
    columns.llm(row, fields);
    categoryAt[row] = SPAN_CATEGORIES.indexOf(categories[row]!);
    columns.number(C.category!, row, categoryAt[row]!);
    if (fields !== null && typeof views[row]![LLM_RESPONSE_ID] === 'string') responses++;
  }
  const spanTable = columns.build(n);
  // The parts once the spans are columns: each span's text bytes are read off them (the attributes' lengths are bytes already).
  const textBytes = spanTextBytes(spanTable);
  const parts = new TracePartsBuilder();
  for (let row = 0; row < n; row++) {
    parts.add(
      projectId,
      traceIds[row]!,
      startUs[row]!,
      endUs[row]!,
      failed[row] === 1,
      names[row]!,
      serviceNames[row]!,
      parentAt[row]! < 0,
      sessionIds[row] ?? null,
      userIds[row] ?? null,
      llm[row] ?? null,
      categoryAt[row]!,
      textBytes[row]!,
    );
  }
  // The snapshots' sources after the spans', as `batchOf` asks for them.
  const runningTable = running === null || running.kept.length === 0 ? null : runningSpanColumns(running.kept, sources, receivedUs);
  const tables: TableBatch[] = [];
  if (sources.size > 0) tables.push(sources.columns());
  tables.push(spanTable, tracePartColumns(parts.parts()));
  if (responses > 0) tables.push(responseColumns(responses));
  if (errors.length > 0) tables.push(errorColumns(errors));
  if (scores.length > 0) tables.push(scoreColumns(scores, receivedUs));
  if (runningTable !== null) tables.push(runningTable);
  if (n < count) {
    serviceNames.length = n;
    llm.length = n;
  }
  const cut = <T extends Uint8Array | Float64Array>(values: T): T => (n < count ? (values.slice(0, n) as T) : values);
  return {
    batch: { records: n + (running?.kept.length ?? 0), tables },
    records: n,
    rejected: rejected.count,
    duplicates: rejected.duplicates,
    rejectReason: rejected.reason(),
    replacedStrings: 0,
    snapshots: running?.kept.length ?? 0,
    snapshotsAfterEnd: running?.afterEnd ?? 0,
    refusedEvaluations: found?.refusedEvents ?? 0,
    spans: { count: n, projectId, serviceNames, kinds: cut(kinds), failed: cut(failed), startUs: cut(startUs), endUs: cut(endUs), llm },
    ids: dropped === null ? { words: spanIdWords, hashes: spanHashes } : keptIds(dropped),
    scores,
  };

  /**
   * Masks the rows' values in place, as `maskBatch` masks a record's (the same `RequestMasking`,
   * the same order), and writes the columns it changes: the attributes read whole, the events,
   * links, status message, source, session and user ids.
   */
  function maskRows(masking: RequestMasking): void {
    for (let row = 0; row < n; row++) {
      const group = plan.groups[groupOf[row]!]!;
      const attributes = views[row]!;
      masking.spanAttributes(attributes, group.resource, group.scope, events[row]!, links![row]!);
      columns.attributes.text(JSON.stringify(attributes));
      columns.attributes.endRow();
      columns.varchar(C.status_message!, masking.text(statuses[row]!.message));
      columns.varchar(C.source_id!, sources.idOf(projectId, group.resource, group.scope));
      columns.varchar(C.events!, events[row]!.length === 0 ? '[]' : JSON.stringify(events[row]));
      columns.varchar(C.links!, links![row]!.length === 0 ? '[]' : JSON.stringify(links![row]));
      sessionIds[row] = masking.id('session.id', sessionIds[row] ?? null);
      userIds[row] = masking.id('user.id', userIds[row] ?? null);
      columns.varchar(C.session_id!, sessionIds[row]!);
      columns.varchar(C.user_id!, userIds[row]!);
    }
  }

  function drop(i: number): void {
    columns.attributes.undoRow();
    (dropped ??= new Uint8Array(count))[i] = 1;
  }

  /** The ids of the spans kept, in row order. */
  function keptIds(out: Uint8Array): SpanIdWords {
    const words = new Int32Array(n * ID_WORDS);
    const hashes = new Int32Array(n);
    for (let i = 0, row = 0; i < count; i++) {
      if (out[i] === 1) continue;
      words.set(spanIdWords.subarray(i * ID_WORDS, (i + 1) * ID_WORDS), row * ID_WORDS);
      hashes[row++] = spanHashes[i]!;
    }
    return { words, hashes };
  }

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
    const group = plan.groups[groupOf[row]!]!;
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
const requestSpans = new RequestSpans();

function idsValid(f: SpanFields): boolean {
  const w = f.idWords;
  if (f.traceId.length !== 32 || (w[0]! | w[1]! | w[2]! | w[3]!) === 0) return false;
  if (f.spanIdBytes !== 8 || (w[4]! | w[5]!) === 0) return false;
  return f.parentIdBytes === 0 || f.parentIdBytes === 8;
}
