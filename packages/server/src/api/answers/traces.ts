import { type Static, Type } from '@sinclair/typebox';
import { TREE_MEDIA_TYPE } from '@spoor/model';
import { agree } from '../../http/answers/agree.js';
import { Bytes, contentAnswer } from '../../http/content.js';
import type { DbAnswer } from '../../dbthread/answer-types.js';
import { LogListResponse, MetricListResponse, MetricPointListResponse, ServiceListResponse, TraceListResponse } from '../../http/answers/model/api.js';
import { TraceDiff } from '../../http/answers/model/diff.js';
import { LlmCallDetail } from '../../http/answers/model/span.js';
import { SpanDetail, TraceDetail, TraceDetailPage, TraceSearchResponse, TraceTree } from '../../http/answers/model/trace.js';

/** The answers of the reads of what was sent (`trace-routes.ts`), each pinned to what its database call answers. */

/** A whole trace, or with `spans=OFFSET,LIMIT` a page of it. */
export const TraceAnswer = Type.Union([TraceDetail, TraceDetailPage]);

export const TraceTreeAnswer = contentAnswer(`The waterfall's columns as JSON, or with Accept: ${TREE_MEDIA_TYPE} as the binary stream`, {
  'application/json': TraceTree,
  [TREE_MEDIA_TYPE]: Bytes('frames: a header, chunks of up to 50,000 spans, a trailer (@spoor/model TreeStreamDecoder reads them)'),
});

agree<Static<typeof TraceListResponse>, DbAnswer<'traces.list'>>(true);
agree<Static<typeof TraceAnswer>, DbAnswer<'traces.get'>>(true);
agree<Static<typeof TraceTree>, DbAnswer<'traces.tree'>>(true);
agree<Static<typeof TraceDiff>, DbAnswer<'traces.diff'>>(true);
agree<Static<typeof TraceSearchResponse>, DbAnswer<'traces.search'>>(true);
agree<Static<typeof SpanDetail>, DbAnswer<'traces.span'>>(true);
agree<Static<typeof LlmCallDetail>, DbAnswer<'traces.llmCall'>>(true);
agree<Static<typeof ServiceListResponse>, DbAnswer<'traces.services'>>(true);
agree<Static<typeof LogListResponse>, DbAnswer<'logs.list'>>(true);
agree<Static<typeof MetricListResponse>, DbAnswer<'metrics.list'>>(true);
agree<Static<typeof MetricPointListResponse>, DbAnswer<'metrics.points'>>(true);

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
