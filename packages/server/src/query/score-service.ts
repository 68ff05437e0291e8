import { type Score, type ScoreListResponse, type ScoreQuery, type ScoreRecord, type ScoreSlot, scoreIdOf, scoreProblem } from '@spoor/model';
import { AppError } from '../errors.js';
import type { ScoreStore, StoredScore } from '../store/store.js';
import { scoreFromStored } from './convert.js';
import { decodeCursor, encodeCursor } from './cursor.js';

/** A score sent through the API, checked for its shape by the route; the service checks the rest. */
export type NewScore = Omit<ScoreRecord, 'scoreId' | 'timeUs' | 'responseId'>;

/** A page of `GET /api/scores`. */
export interface ScoreListQuery extends ScoreQuery {
  limit: number;
  cursor: string | null;
}

/**
 * Scores through the API: a score sent (its target checked, masked, stored), read, listed and
 * deleted. Knows nothing of HTTP; the masking of the project's policy is handed in, as the
 * database thread keeps it.
 */
export class ScoreService {
  /** The time of the last score written here, so that two versions of a slot sent within one clock tick still order. */
  private lastTimeUs = 0;

  constructor(
    private readonly store: { readonly scores: ScoreStore },
    private readonly mask: (score: ScoreRecord) => void = () => {},
    /** Why a score does not fit the config its name has in the project (a review queue's rubric entry), or `null`: none by default. */
    private readonly misfit: (projectId: string, score: { name: string; value: number | null; label: string | null }) => Promise<string | null> = () =>
      Promise.resolve(null),
  ) {}

  /**
   * Stores a score as the newest version of its slot (target, name, source, author) and answers
   * it. 400 naming the field for a score that is no score, or one its name's config does not allow; 404 for a trace, or a span of a trace,
   * the project does not have.
   */
  async add(input: NewScore, nowUs: number): Promise<{ score: Score }> {
    const problem = scoreProblem(input) ?? targetProblem(input) ?? (await this.misfit(input.projectId, input));
    if (problem !== null) throw new AppError('ERR_BAD_REQUEST', problem);
    if (input.traceId !== null) {
      const found = await this.store.scores.findTarget(input.projectId, input.traceId, input.spanId);
      if (found === 'no trace') throw new AppError('ERR_NOT_FOUND', `trace ${input.traceId} was not found`);
      if (found === 'no span') throw new AppError('ERR_NOT_FOUND', `span ${input.spanId} of trace ${input.traceId} was not found`);
    }
    // Date.now() ticks in milliseconds: a vote changed twice within one would otherwise tie with itself.
    const timeUs = (this.lastTimeUs = Math.max(nowUs, this.lastTimeUs + 1));
    const slot: ScoreSlot = {
      projectId: input.projectId,
      traceId: input.traceId,
      spanId: input.spanId,
      sessionId: input.sessionId,
      responseId: null,
      name: input.name.trim(),
      source: input.source,
      author: input.author,
    };
    // The slot id is taken before masking, as at ingest: a policy that blanks session ids must not make every session's score one slot.
    const score: ScoreRecord = { ...slot, scoreId: scoreIdOf(slot), timeUs, value: input.value, label: input.label, comment: input.comment };
    this.mask(score);
    await this.store.scores.addScores([score], timeUs);
    return { score: scoreFromStored(score) };
  }

  async get(projectId: string, scoreId: string): Promise<{ score: Score }> {
    const found = await this.store.scores.getScore(projectId, scoreId);
    if (found === null) throw notFound(scoreId);
    return { score: scoreFromStored(found) };
  }

  async list(query: ScoreListQuery): Promise<ScoreListResponse> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor);
    const rows = await this.store.scores.listScores(query, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      scores: page.map(scoreFromStored),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ timeUs: last.timeUs, id: last.scoreId }) : null,
    };
  }

  /** Deletes a score; 404 when the project has none by that id. */
  async delete(projectId: string, scoreId: string, nowUs: number): Promise<void> {
    if (!(await this.store.scores.deleteScore(projectId, scoreId, nowUs))) throw notFound(scoreId);
  }

  /** Every score of these traces (of a trace, or of one of its spans), in time order. */
  async ofTraces(projectId: string, traceIds: readonly string[]): Promise<Score[]> {
    const found: StoredScore[] = await this.store.scores.scoresOfTraces(projectId, traceIds);
    return found.map(scoreFromStored);
  }
}

/** Why a score's target is none: a span without its trace, a trace and a session at once, or nothing at all. */
export function targetProblem(target: { traceId: string | null; spanId: string | null; sessionId: string | null }): string | null {
  if (target.spanId !== null && target.traceId === null) return "traceId: a span's score names the span's trace too";
  if (target.traceId !== null && target.sessionId !== null) return 'sessionId: a score is about a trace (or one of its spans) or a session, not both';
  if (target.traceId === null && target.sessionId === null) return 'traceId: a score needs a target: a traceId (and spanId), or a sessionId';
  return null;
}

function notFound(scoreId: string): AppError {
  return new AppError('ERR_NOT_FOUND', `score ${scoreId} was not found`);
}
