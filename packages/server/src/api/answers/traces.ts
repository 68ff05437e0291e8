import { type Static, Type } from '@sinclair/typebox';
import { TREE_MEDIA_TYPE } from '@spoor/model';
import { agree } from './agree.js';
import { Bytes, contentAnswer } from './content.js';
import type { DbAnswer } from './db.js';
import { LogListResponse, MetricListResponse, MetricPointListResponse, ServiceListResponse, TraceListResponse } from './model/api.js';
import { TraceDiff } from './model/diff.js';
import { LlmCallDetail } from './model/span.js';
import { SpanDetail, TraceDetail, TraceDetailPage, TraceSearchResponse, TraceTree } from './model/trace.js';

/** The answers of the reads of what was sent (`trace-routes.ts`), each pinned to what its database call answers. */

/** A whole trace, or with `spans=OFFSET,LIMIT` a page of it. */
export const TraceAnswer = Type.Union([TraceDetail, TraceDetailPage]);

export const TraceTreeAnswer = contentAnswer(`The waterfall's columns as JSON, or with Accept: ${TREE_MEDIA_TYPE} as the binary stream`, {
  'application/json': TraceTree,
  [TREE_MEDIA_TYPE]: Bytes('frames: a header, chunks of up to 50,000 spans, a trailer (@spoor/model TreeStreamDecoder reads them)'),
});

agree<Static<typeof TraceListResponse>, DbAnswer<'listTraces'>>(true);
agree<Static<typeof TraceAnswer>, DbAnswer<'getTrace'>>(true);
agree<Static<typeof TraceTree>, DbAnswer<'getTraceTree'>>(true);
agree<Static<typeof TraceDiff>, DbAnswer<'diffTraces'>>(true);
agree<Static<typeof TraceSearchResponse>, DbAnswer<'searchTrace'>>(true);
agree<Static<typeof SpanDetail>, DbAnswer<'getSpan'>>(true);
agree<Static<typeof LlmCallDetail>, DbAnswer<'getLlmCall'>>(true);
agree<Static<typeof ServiceListResponse>, DbAnswer<'listServices'>>(true);
agree<Static<typeof LogListResponse>, DbAnswer<'listLogs'>>(true);
agree<Static<typeof MetricListResponse>, DbAnswer<'listMetrics'>>(true);
agree<Static<typeof MetricPointListResponse>, DbAnswer<'listMetricPoints'>>(true);

export {
  LlmCallDetail,
  LogListResponse,
  MetricListResponse,
  MetricPointListResponse,
  ServiceListResponse,
  SpanDetail,
  TraceDiff,
  TraceListResponse,
  TraceSearchResponse,
};
