import type { LlmFields } from '@spoor/model';
import {
  type Column,
  ColumnArena,
  type ColumnBuilder,
  NumberBuilder,
  SparseVarcharBuilder,
  type TableBatch,
  Utf8Builder,
  VarcharBuilder,
  numberValues,
  validityBytes,
} from '../store/columns.js';
import { SPANS } from '../store/tables.js';

/** Column numbers of `SPANS`. */
export const C = Object.fromEntries(SPANS.map((spec, i) => [spec.name, i])) as Record<string, number>;

/**
 * The `spans` table's columns, filled column by column: a column's values in row order, the LLM
 * columns after the rest (once the batch's calls are counted). The same builders `BatchBuilder`
 * uses, so the columns are the ones `spanColumns` makes of records.
 */
export class SpanColumns {
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

  /** The first `rows` rows (fewer than made room for when spans were rejected). */
  build(rows: number): TableBatch {
    const columns = this.builders.map((b): Column => b.build(this.rows));
    return { table: 'spans', rows, columns: rows === this.rows ? columns : columns.map((column) => firstRows(column, rows)) };
  }

  private rowOf(column: number): number {
    return this.next[column]!++;
  }
}

/** What a span's attributes take as JSON, about, to start the column's buffer (it grows as needed). */
const ATTRIBUTE_BYTES = 160;

const LLM_TEXT = ['llm_provider', 'llm_operation', 'llm_request_model', 'llm_response_model', 'finish_reasons', 'cost_source'].map((name) => C[name]!);
const LLM_NUMBERS = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'reasoning_tokens',
  'cost_usd',
  'ttft_ms',
].map((name) => C[name]!);

/** A column's first `rows` rows, as a builder made for that many would have built it (the padding of a validity bitmap set, none when no row is NULL). */
function firstRows(column: Column, rows: number): Column {
  if (column.type === 'varchar') return { ...column, lengths: column.lengths.slice(0, rows) };
  if (column.type === 'double[]') throw new Error('no list column in the spans table');
  let valid = column.valid === null ? null : column.valid.slice(0, validityBytes(rows));
  if (valid !== null) {
    for (let bit = rows; bit < valid.length * 8; bit++) valid[bit >> 3]! |= 1 << (bit & 7);
    if (valid.every((byte) => byte === 0xff)) valid = null;
  }
  return { ...column, values: column.values.slice(0, rows), valid } as Column;
}
