import { type Static, type TObject, Type } from '@sinclair/typebox';
import { ERROR_GROUP_STATUSES, SCORE_SOURCES, SPAN_CATEGORIES, SPAN_KINDS, TRACE_SORTS } from '@spoor/model';
import { MAX_PAGE_SPANS } from '../query/trace-pages.js';
import { cursor, groupBy, limit, LIST_LIMIT, oneOf, ORIGIN, SCORE, SPAN_FILTER, spanId, text, TIME_RANGE, traceId } from './parameters.js';

/**
 * The queries of the routes an MCP tool calls as well (`mcp/tools.ts` takes their parameters as
 * its arguments): declared here, below both, so that the tools and the routes share them without
 * the tools knowing HTTP.
 */

// Traces.

const TRACE_SORT = oneOf(TRACE_SORTS, {
  description: 'order, greatest first: start (newest, the default), duration (slowest), cost (costliest; traces without a cost last), tokens (input + output)',
});
export const TRACE_LIST = Type.Object(
  { ...SPAN_FILTER, ...ORIGIN, score: Type.Optional(SCORE), sort: Type.Optional(TRACE_SORT), limit: limit(LIST_LIMIT), cursor: cursor() },
  { additionalProperties: false },
);
/** `OFFSET,LIMIT`: rows of the trace in tree order, at most `MAX_PAGE_SPANS` (10,000) a page. */
export const TRACE_DETAIL = Type.Object(
  {
    spans: Type.Optional(
      Type.String({
        pattern: '^(0|[1-9]\\d{0,8}),([1-9]\\d{0,3}|10000)$',
        description: "a page of the trace's spans in tree order: OFFSET,LIMIT (the nextSpans of the page before)",
        'x-must-be': `OFFSET,LIMIT: a row to start at (0 or more) and how many spans (1 to ${MAX_PAGE_SPANS})`,
      }),
    ),
  },
  { additionalProperties: false },
);
export const DIFF_PATH = Type.Object({ traceId: traceId('the first run'), otherTraceId: traceId('the second run') });

// Scores.

export const SCORE_LIST = Type.Object(
  {
    ...TIME_RANGE,
    traceId: Type.Optional(traceId('scores of this trace and its spans')),
    spanId: Type.Optional(spanId('scores of this span')),
    sessionId: Type.Optional(text("scores of this session (the session's own)")),
    name: Type.Optional(text('scores of this name')),
    source: Type.Optional(oneOf([...SCORE_SOURCES], { description: 'scores from this source' })),
    limit: limit(LIST_LIMIT),
    cursor: cursor(),
  },
  { additionalProperties: false },
);

// Statistics, sessions and error groups.

/** The trace list's filters applied to each span, and the span's kind, category and rootness. */
export const ANALYTICS_FILTER = {
  ...SPAN_FILTER,
  ...ORIGIN,
  kind: Type.Optional(oneOf([...SPAN_KINDS], { description: 'span kind' })),
  category: Type.Optional(oneOf([...SPAN_CATEGORIES], { description: 'span category' })),
  root: Type.Optional(Type.Boolean({ description: 'root spans only' })),
};
export type AnalyticsFilterQuery = Static<TObject<typeof ANALYTICS_FILTER>>;

/** What a list of groups (statistics, comparisons) answers at once. */
export const GROUPS_LIMIT = { fallback: 100, max: 1000 };

export const SPAN_STATS = Type.Object(
  { ...ANALYTICS_FILTER, groupBy: groupBy('what to group by (default name)'), limit: limit(GROUPS_LIMIT) },
  { additionalProperties: false },
);
export const SESSION_LIST = Type.Object(
  { ...TIME_RANGE, limit: limit(LIST_LIMIT), cursor: cursor(), user: Type.Optional(text('a user id: only the sessions whose spans name that user')) },
  { additionalProperties: false },
);
export const SESSION_WINDOW = Type.Object(
  {
    hours: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 8760,
        description: "the last hours up to now (default 24); not with 'from' or 'to'",
        'x-must-be': 'a number of hours above 0 and at most 8760',
      }),
    ),
    ...TIME_RANGE,
  },
  { additionalProperties: false },
);
export const ERROR_LIST = Type.Object(
  {
    ...TIME_RANGE,
    status: Type.Optional(oneOf([...ERROR_GROUP_STATUSES], { description: 'groups with this status' })),
    service: Type.Optional(text('service name')),
    sort: Type.Optional(oneOf(['lastSeen', 'firstSeen', 'count'], { description: 'order (default lastSeen)' })),
    limit: limit(LIST_LIMIT),
    cursor: cursor(),
  },
  { additionalProperties: false },
);
