import { type ScoreConfig, datasetNameProblem, scoreConfigOf, scoreConfigProblem } from '@spoor/model';
import { AppError } from '../errors.js';
import { parseFilter } from '../quality/spec.js';
import type { TraceFilter } from '../store/ports/evaluators.js';

/**
 * A queue's definition, checked: every problem is a 400 naming the field. Stored as the JSON of
 * `QueueSpec`, its filter both as the trace list's query string (what a person reads) and parsed
 * (what the runner on the database thread matches, so that thread never parses one).
 */
export interface QueueSpec {
  description: string;
  rubric: ScoreConfig[];
  reviewersPerItem: number;
  leaseSeconds: number;
  filter: string | null;
  traceFilter: TraceFilter | null;
  sampleRate: number;
  dataset: string | null;
}

export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const FIELDS = ['name', 'description', 'rubric', 'reviewersPerItem', 'leaseSeconds', 'filter', 'sampleRate', 'dataset'];
/** Default lease: long enough to read a trace and score it, short enough that an abandoned item returns within the hour. */
export const DEFAULT_LEASE_SECONDS = 600;

const bad = (message: string): AppError => new AppError('ERR_BAD_REQUEST', message);

/** The name and spec of a queue sent to `POST /api/queues`. */
export function checkQueue(body: unknown): { name: string; spec: QueueSpec } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a queue: an object with a name and a rubric');
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) throw bad(`${extra}: not a field of a queue (${FIELDS.join(', ')})`);
  if (typeof b.name !== 'string' || !QUEUE_NAME.test(b.name))
    throw bad('name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  if (b.description !== undefined && typeof b.description !== 'string') throw bad('description: must be a string');
  if (!Array.isArray(b.rubric) || b.rubric.length === 0) throw bad('rubric: give at least one score config ({ name, type, description })');
  const rubric = b.rubric.map((raw, i) => {
    const problem = scoreConfigProblem(raw, `rubric[${i}]`);
    if (problem !== null) throw bad(problem);
    return scoreConfigOf(raw as Record<string, unknown>);
  });
  const twice = rubric.find((c, i) => rubric.findIndex((o) => o.name === c.name) !== i);
  if (twice !== undefined) throw bad(`rubric: '${twice.name}' is given twice`);
  const reviewersPerItem = b.reviewersPerItem ?? 1;
  if (!Number.isInteger(reviewersPerItem) || (reviewersPerItem as number) < 1 || (reviewersPerItem as number) > 20)
    throw bad('reviewersPerItem: must be a whole number from 1 to 20');
  const leaseSeconds = b.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(leaseSeconds) || (leaseSeconds as number) < 1 || (leaseSeconds as number) > 86_400)
    throw bad('leaseSeconds: must be a whole number of seconds from 1 to 86400');
  const sampleRate = b.sampleRate ?? 1;
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) throw bad('sampleRate: must be a number from 0 to 1');
  if (b.filter !== undefined && b.filter !== null && typeof b.filter !== 'string')
    throw bad("filter: must be the trace list's query string, like service=api&model=gpt-4o");
  const filter = (b.filter as string | null | undefined) ?? null;
  const traceFilter = filter === null ? null : parseFilter(filter, (message) => bad(message));
  if (b.dataset !== undefined && b.dataset !== null && datasetNameProblem(b.dataset) !== null)
    throw bad('dataset: a dataset name (1 to 100 letters, digits, dots, dashes or underscores)');
  return {
    name: b.name,
    spec: {
      description: (b.description as string | undefined) ?? '',
      rubric,
      reviewersPerItem: reviewersPerItem as number,
      leaseSeconds: leaseSeconds as number,
      filter,
      traceFilter,
      sampleRate,
      dataset: (b.dataset as string | null | undefined) ?? null,
    },
  };
}
