import type { ScoreRecord, SpanRecord } from '@spoor/model';
import type { SpanFacts } from '../metrics/span-metrics.js';
import type { TableBatch } from '../store/columns.js';
import type { SourceIds } from '../store/sources.js';
import { type WriteBatch, runningSpanColumns } from '../store/tables.js';
import type { RequestMasking } from './masking.js';
import type { SpanIdWords } from './recent-spans.js';
import type { Rejected } from './request-spans.js';

/** What the column path (`decode-columns.ts`) answers of a trace request. */

/** A request decoded into its batch, and what `DecodeCore` keeps of its spans until it is settled. */
export interface DecodedColumns {
  batch: WriteBatch;
  records: number;
  /** Spans rejected (bad ids or numbers, twice in the request, received before), how many of them were duplicates, and the first reason, as `decodeRequest` says them. */
  rejected: number;
  duplicates: number;
  rejectReason: string | null;
  /** Running snapshots kept (in `running_spans`, counted in `batch.records`, not in `records`), and dropped because their span had ended. */
  snapshots: number;
  snapshotsAfterEnd: number;
  /** Strings whose invalid UTF-8 was replaced with U+FFFD (protobuf's: OTLP/JSON that is not UTF-8 is refused whole). */
  replacedStrings: number;
  refusedEvaluations: number;
  spans: SpanFacts;
  /** Each span's ids as `ID_WORDS` words, and their `wordsHash`, in row order. */
  ids: SpanIdWords;
  scores: ScoreRecord[];
}

/** A request with no span stored, as `decodeRequest` answers it: no table but its snapshots', nothing to count. */
export function noSpans(
  projectId: string,
  rejected: Rejected,
  running: { kept: SpanRecord[]; afterEnd: number } | null,
  sources: SourceIds | null,
  receivedUs: number,
  masking: RequestMasking | undefined,
): DecodedColumns {
  const kept = running?.kept ?? [];
  if (masking !== undefined) for (const span of kept) masking.span(span);
  const tables: TableBatch[] = [];
  if (kept.length > 0 && sources !== null) {
    const runningTable = runningSpanColumns(kept, sources, receivedUs);
    tables.push(sources.columns(), runningTable);
  }
  return {
    batch: { records: kept.length, tables },
    records: 0,
    rejected: rejected.count,
    duplicates: rejected.duplicates,
    rejectReason: rejected.reason(),
    snapshots: kept.length,
    snapshotsAfterEnd: running?.afterEnd ?? 0,
    replacedStrings: 0,
    refusedEvaluations: 0,
    spans: {
      count: 0,
      projectId,
      serviceNames: [],
      kinds: new Uint8Array(0),
      failed: new Uint8Array(0),
      startUs: new Float64Array(0),
      endUs: new Float64Array(0),
      llm: [],
    },
    ids: { words: new Int32Array(0), hashes: new Int32Array(0) },
    scores: [],
  };
}
