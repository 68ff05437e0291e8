/**
 * Export (`spoor export`, `GET /api/export`): a project's records of one signal in a time range,
 * as a file that analysis tools read (Parquet, or JSON Lines). The columns of each signal are
 * the server's (`store/sql/export-columns.ts`), the same from every store.
 */

/** What can be exported: spans, log records, metric points, scores. */
export const EXPORT_SIGNALS = ['spans', 'logs', 'metrics', 'scores'] as const;
export type ExportSignal = (typeof EXPORT_SIGNALS)[number];

/** The file formats: Apache Parquet, or JSON Lines (one JSON object a line). */
export const EXPORT_FORMATS = ['parquet', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The records of one signal of one project whose time is in `[fromUs, toUs)`, in one format. */
export interface ExportQuery {
  projectId: string;
  signal: ExportSignal;
  format: ExportFormat;
  /** Epoch microseconds, inclusive: a span's start, a log's, point's or score's time. */
  fromUs: number;
  /** Epoch microseconds, exclusive. */
  toUs: number;
}

/** The media type an export is served as. */
export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  parquet: 'application/vnd.apache.parquet',
  jsonl: 'application/jsonl',
};

/** The file a signal is written to: `spans.parquet`, `logs.jsonl`. */
export function exportFileName(signal: ExportSignal, format: ExportFormat): string {
  return `${signal}.${format}`;
}

/** Whether `value` names a signal. */
export const isExportSignal = (value: string): value is ExportSignal => (EXPORT_SIGNALS as readonly string[]).includes(value);

/** Whether `value` names a format. */
export const isExportFormat = (value: string): value is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(value);
