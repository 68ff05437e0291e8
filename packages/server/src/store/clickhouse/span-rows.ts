import { SPAN_CATEGORIES, SPAN_KINDS, STATUS_CODES, type LlmFields } from '@spoor/model';
import { JsonParseCache, type TextBytes } from '../record-rows.js';
import { NO_SPAN_TEXTS, type StoredSpanFields } from '../stored-trace.js';
import type { ChClient, ChParams, RawBytesOptions } from './client.js';
import { RowBinaryReader } from './row-binary.js';

/**
 * A trace's spans read for an answer straight from ClickHouse's binary rows: every value in the
 * bytes it is stored as, decoded into the span's fields as it is read. Sent as one JSON array a
 * row (`toJSONString`), then parsed and turned into fields, the 20,001 spans of the bench's flat
 * trace took ClickHouse 35-51 ms to write (16-18 ms as these rows) and their read 96-123 ms, 55-72
 * of it Node's CPU; as these rows, 53-80 ms and 26-41 (BENCHMARKS.md). The answer's header names
 * each column and its type, and is checked against what this reader decodes, so a table that
 * changed fails loudly instead of being misread.
 */

/** The columns read, in order, with the type the header names each by. */
export const SPAN_READ: ReadonlyArray<readonly [column: string, type: string]> = [
  ['project_id', 'LowCardinality(String)'],
  ['trace_id', 'String'],
  ['span_id', 'String'],
  ['parent_span_id', 'Nullable(String)'],
  ['trace_state', 'String'],
  ['flags', 'UInt32'],
  ['name', 'LowCardinality(String)'],
  ['kind', 'UInt8'],
  ['service_name', 'LowCardinality(String)'],
  ['start_us', 'Int64'],
  ['end_us', 'Int64'],
  ['status_code', 'UInt8'],
  ['status_message', 'String'],
  ['source_id', 'LowCardinality(String)'],
  ['dropped_attributes', 'UInt32'],
  ['dropped_events', 'UInt32'],
  ['dropped_links', 'UInt32'],
  ['session_id', 'Nullable(String)'],
  ['user_id', 'Nullable(String)'],
  ['category', 'UInt8'],
  ['is_llm', 'Bool'],
  ['llm_provider', 'LowCardinality(Nullable(String))'],
  ['llm_operation', 'LowCardinality(Nullable(String))'],
  ['llm_request_model', 'LowCardinality(Nullable(String))'],
  ['llm_response_model', 'LowCardinality(Nullable(String))'],
  ['input_tokens', 'Nullable(Int64)'],
  ['output_tokens', 'Nullable(Int64)'],
  ['total_tokens', 'Nullable(Int64)'],
  ['cache_read_tokens', 'Nullable(Int64)'],
  ['cache_creation_tokens', 'Nullable(Int64)'],
  ['reasoning_tokens', 'Nullable(Int64)'],
  ['cost_usd', 'Nullable(Float64)'],
  ['ttft_ms', 'Nullable(Float64)'],
  ['cost_source', 'LowCardinality(Nullable(String))'],
  ['finish_reasons', 'LowCardinality(Nullable(String))'],
  ['attributes', 'String'],
  ['events', 'String'],
  ['links', 'String'],
];

/** The spans of `<from>` (the query after its select list), in any order, as `SpanRows`. */
export async function readSpanRows(ch: ChClient, what: string, from: string, params: ChParams, into?: RawBytesOptions['into']): Promise<SpanRows> {
  const sql = `SELECT ${SPAN_READ.map(([column]) => column).join(', ')} ${from}`;
  const answer = await ch.rawBytes(what, sql, params, { format: 'RowBinaryWithNamesAndTypes', into });
  return new SpanRowReader(answer).read();
}

/**
 * Spans as read for an answer: their fields, the resource and scope texts still to be filled in
 * from `sourceIds` (`fillSources`), and their attributes, events and links as UTF-8 bytes, views
 * of the answer read (text `3i + j` of span `i`).
 */
export interface SpanRows {
  spans: StoredSpanFields[];
  sourceIds: string[];
  texts: TextBytes;
}

/** Gives each span its resource and scope texts, by its source id (`{}` for a source not found). */
export function fillSources(rows: SpanRows, sources: ReadonlyMap<string, { resource: string; scope: string }>): StoredSpanFields[] {
  const { spans, sourceIds } = rows;
  for (let i = 0; i < spans.length; i++) {
    const source = sources.get(sourceIds[i]!);
    spans[i]!.resourceJson = source?.resource ?? '{}';
    spans[i]!.scopeJson = source?.scope ?? '{}';
  }
  return spans;
}

/** The last text read of a column: a value repeated from row to row (a trace id, a service) is made once. */
class LastText {
  from = 0;
  length = -1;
  text = '';
}

/** Decodes a `RowBinaryWithNamesAndTypes` answer of `SPAN_READ`'s columns. */
class SpanRowReader {
  private readonly r: RowBinaryReader;
  private readonly finishReasons = new JsonParseCache();

  constructor(private readonly bytes: Buffer) {
    this.r = new RowBinaryReader(bytes);
  }

  read(): SpanRows {
    // An answer of no rows still has its header (a server's; nothing at all from some engines).
    if (this.bytes.length > 0) this.header();
    const spans: StoredSpanFields[] = [];
    const sourceIds: string[] = [];
    let starts: Uint32Array = new Uint32Array(3 * 1024);
    let ends: Uint32Array = new Uint32Array(3 * 1024);
    const project = new LastText();
    const trace = new LastText();
    const parent = new LastText();
    const state = new LastText();
    const name = new LastText();
    const service = new LastText();
    const message = new LastText();
    const source = new LastText();
    const session = new LastText();
    const user = new LastText();
    const llmTexts = Array.from({ length: 6 }, () => new LastText());
    const r = this.r;
    while (r.more) {
      const projectId = this.repeated(project);
      const traceId = this.repeated(trace);
      const spanId = r.string();
      const parentSpanId = this.isNull() ? null : this.repeated(parent);
      const traceState = this.repeated(state);
      const flags = r.uint32();
      const spanName = this.repeated(name);
      const kind = SPAN_KINDS[r.uint8()] ?? 'unspecified';
      const serviceName = this.repeated(service);
      const startTimeUs = r.int64();
      const endTimeUs = r.int64();
      const code = STATUS_CODES[r.uint8()] ?? 'unset';
      const statusMessage = this.repeated(message);
      sourceIds.push(this.repeated(source));
      const droppedAttributesCount = r.uint32();
      const droppedEventsCount = r.uint32();
      const droppedLinksCount = r.uint32();
      const sessionId = this.isNull() ? null : this.repeated(session);
      const userId = this.isNull() ? null : this.repeated(user);
      const category = SPAN_CATEGORIES[r.uint8()] ?? 'other';
      // A Bool is a byte, any but 0 true (Spoor writes 0 or 1).
      const llm = r.uint8() !== 0 ? this.llmFields(llmTexts) : this.skipLlmFields();
      const i = spans.length;
      if (3 * i + 3 > starts.length) {
        starts = grown(starts);
        ends = grown(ends);
      }
      for (let t = 3 * i; t < 3 * i + 3; t++) {
        starts[t] = r.skipString();
        ends[t] = r.offset;
      }
      spans.push({
        projectId,
        traceId,
        spanId,
        parentSpanId,
        traceState,
        flags,
        name: spanName,
        kind,
        serviceName,
        startTimeUs,
        endTimeUs,
        status: { code, message: statusMessage },
        resourceJson: '{}',
        scopeJson: '{}',
        droppedAttributesCount,
        droppedEventsCount,
        droppedLinksCount,
        sessionId,
        userId,
        category,
        llm,
      });
    }
    if (spans.length === 0) return { spans, sourceIds, texts: NO_SPAN_TEXTS };
    const n = 3 * spans.length;
    return { spans, sourceIds, texts: { bytes: this.bytes, starts: starts.subarray(0, n), ends: ends.subarray(0, n) } };
  }

  /** An LLM call's columns (`llm_provider` to `finish_reasons`). */
  private llmFields(texts: readonly LastText[]): LlmFields {
    return {
      provider: this.isNull() ? null : this.repeated(texts[0]!),
      operation: this.isNull() ? null : this.repeated(texts[1]!),
      requestModel: this.isNull() ? null : this.repeated(texts[2]!),
      responseModel: this.isNull() ? null : this.repeated(texts[3]!),
      inputTokens: this.isNull() ? null : this.r.int64(),
      outputTokens: this.isNull() ? null : this.r.int64(),
      totalTokens: this.isNull() ? null : this.r.int64(),
      cacheReadInputTokens: this.isNull() ? null : this.r.int64(),
      cacheCreationInputTokens: this.isNull() ? null : this.r.int64(),
      reasoningTokens: this.isNull() ? null : this.r.int64(),
      // JSON has no word for NaN or an infinity: read as null, as on DuckDB.
      costUsd: this.isNull() ? null : this.finite(),
      timeToFirstTokenMs: this.isNull() ? null : this.finite(),
      costSource: this.isNull() ? null : (this.repeated(texts[4]!) as LlmFields['costSource']),
      // Parsed once per distinct text: spans of the same reasons share one array (nothing changes it).
      finishReasons: this.isNull() ? null : this.finishReasons.of<string[] | null>(this.repeated(texts[5]!)),
    };
  }

  /** Past the same columns of a span that is no LLM call (NULL there, but read as they are). */
  private skipLlmFields(): null {
    for (let i = 0; i < 4; i++) if (!this.isNull()) this.r.skipString();
    for (let i = 0; i < 8; i++) if (!this.isNull()) this.r.skip(8);
    for (let i = 0; i < 2; i++) if (!this.isNull()) this.r.skipString();
    return null;
  }

  /** The header: the columns' count, names and types, which must be `SPAN_READ`'s. */
  private header(): void {
    const count = this.r.length();
    const names = Array.from({ length: count }, () => this.r.string());
    const types = Array.from({ length: count }, () => this.r.string());
    const found = names.map((name, i) => `${name} ${types[i]}`).join(', ');
    const expected = SPAN_READ.map(([column, type]) => `${column} ${type}`).join(', ');
    if (found !== expected) throw new Error(`the spans table's columns are not those a trace is read by: found ${found}; expected ${expected}`);
  }

  /** A String, the same string as the column's last when its bytes are the same. */
  private repeated(last: LastText): string {
    const from = this.r.skipString();
    const n = this.r.offset - from;
    const b = this.bytes;
    if (n === last.length) {
      let i = 0;
      while (i < n && b[from + i] === b[last.from + i]) i++;
      if (i === n) return last.text;
    }
    last.from = from;
    last.length = n;
    last.text = b.toString('utf8', from, from + n);
    return last.text;
  }

  /** A Nullable's first byte: 1 when the value is NULL (and nothing follows), 0 when it follows. */
  private isNull(): boolean {
    return this.r.uint8() === 1;
  }

  /** A `Float64`, `null` for NaN or an infinity. */
  private finite(): number | null {
    const value = this.r.float64();
    return Number.isFinite(value) ? value : null;
  }
}

const grown = (array: Uint32Array): Uint32Array => {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
};
