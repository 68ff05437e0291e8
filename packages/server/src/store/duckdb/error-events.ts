/**
 * Whether error `e` is an event, checked against the errors in `others` (every error, or at least
 * those of `e`'s trace: each check is within one trace of one project). `error_events` (schema.ts) holds
 * it over every error; the dialect's `errorEvents` over the errors of the traces it reads.
 */
export function errorEventConditions(others: string): string {
  return `(e.span_id IS NULL OR NOT EXISTS (
      SELECT 1 FROM ${others} c
      WHERE c.project_id = e.project_id AND c.trace_id = e.trace_id AND c.parent_span_id = e.span_id
        AND c.exception_type = e.exception_type AND c.message_key = e.message_key
    ))
    -- IN over tuples rather than correlated EXISTS: on 95,000 errors these two checks cost 25 ms
    -- instead of 60 (no NULLs on either side, so NOT IN cannot turn NULL).
    AND NOT (e.source = 'span' AND e.exception_type IN ('', 'Error') AND e.frame IS NULL AND e.finish_reason IS NULL
      AND e.trace_id IS NOT NULL AND e.span_id IS NOT NULL
      AND (e.project_id, e.trace_id, e.span_id) IN (
        SELECT project_id, trace_id, parent_span_id FROM ${others} WHERE trace_id IS NOT NULL AND parent_span_id IS NOT NULL))
    AND (e.source <> 'log' OR e.trace_id IS NULL
      OR (e.project_id, e.trace_id, e.exception_type, e.message_key) NOT IN (
        SELECT project_id, trace_id, exception_type, message_key FROM ${others} WHERE source = 'span' AND trace_id IS NOT NULL))`;
}
