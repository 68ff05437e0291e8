import { EVALUATOR_TARGETS, type EvaluatorSpec, type EvaluatorTarget } from '@spoor/model';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SCORE, SPAN_FILTER, scoreFilters, spanFilterFields } from '../params/parameters.js';
import { AppError } from '../errors.js';
import type { TraceFilter } from '../store/ports/evaluators.js';
import { DETERMINISTIC_KINDS } from './deterministic.js';
import type { EvaluatorKind } from './kind.js';

/**
 * An evaluator's spec checked and resolved: its kind found, its filter parsed as the trace list
 * parses its query string, its rate and budget read. Every problem is a 400 naming the field.
 */

export type AnyKind = EvaluatorKind<Record<string, unknown>>;

/**
 * A kind with a spec type of its own, as the runner holds every kind: the runner passes `judge`
 * only a spec its `problem` found nothing wrong with, which is what makes it that kind's spec.
 */
export function anyKind<S>(kind: EvaluatorKind<S>): AnyKind {
  return {
    kind: kind.kind,
    fields: kind.fields,
    defaultDailyBudgetUsd: kind.defaultDailyBudgetUsd,
    problem: (spec) => kind.problem(spec),
    judge: (spec, target, context) => kind.judge(spec as S, target, context),
  };
}

/** The kinds the server knows, by name: the deterministic ones and any given (the LLM judge). */
export function kindsOf(extra: readonly AnyKind[] = []): ReadonlyMap<string, AnyKind> {
  return new Map([...DETERMINISTIC_KINDS, ...extra].map((k) => [k.kind, k]));
}

export interface ResolvedEvaluator {
  spec: EvaluatorSpec;
  kind: AnyKind;
  target: EvaluatorTarget;
  filter: TraceFilter;
  sampleRate: number;
  dailyBudgetUsd: number | null;
}

const COMMON_FIELDS = new Set(['name', 'kind', 'target', 'filter', 'sampleRate', 'dailyBudgetUsd']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The trace list's span filters (`params/parameters.ts`), less the time range: what a `filter` query string may hold. */
const { from: _from, to: _to, ...SPAN_FILTER_FIELDS } = SPAN_FILTER;
const FILTER_FIELDS = { ...SPAN_FILTER_FIELDS, score: Type.Optional(SCORE) };
const FILTER = Type.Object(FILTER_FIELDS, { additionalProperties: false });

export const specProblem = (message: string): AppError => new AppError('ERR_BAD_REQUEST', `invalid evaluator: ${message}`);

/**
 * Parses a `filter` (`service=api&model=gpt-4o`) as `GET /api/traces` reads its query string;
 * a problem is thrown as `problem` makes it (an evaluator's, or a sampling policy's).
 */
export function parseFilter(text: string, problem: (message: string) => AppError = specProblem): TraceFilter {
  const params = new URLSearchParams(text.startsWith('?') ? text.slice(1) : text);
  const query: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = key === 'attr' || key === 'score' ? values : values.at(-1);
  }
  const converted = Value.Convert(FILTER, query);
  const error = Value.Errors(FILTER, converted).First();
  if (error !== undefined) {
    const name = error.path.split('/')[1] ?? '';
    if (!(name in FILTER_FIELDS)) throw problem(`filter: '${name}' is not a filter (${Object.keys(FILTER_FIELDS).join(', ')})`);
    throw problem(`filter: '${name}' ${error.message.toLowerCase()}`);
  }
  try {
    const fields = converted as Parameters<typeof spanFilterFields>[0] & { score?: string[] };
    return { ...spanFilterFields(fields), scores: scoreFilters(fields.score) };
  } catch (e) {
    if (e instanceof AppError) throw problem(`filter: ${e.message}`);
    throw e;
  }
}

export interface ResolveOptions {
  /**
   * A field neither every evaluator nor its kind has: `refuse` (a 400 naming it) for a spec made
   * now, through the API or the `--evaluators` file; `ignore` (the default) for a spec read back
   * from the store, so one saved before such fields were refused goes on running as it did.
   */
  unknownFields?: 'refuse' | 'ignore';
}

/** Checks a spec (the parsed JSON of a body or a file entry) against the kinds; throws a 400 naming the field at fault. */
export function resolveSpec(body: unknown, kinds: ReadonlyMap<string, AnyKind>, options: ResolveOptions = {}): ResolvedEvaluator {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw specProblem('the spec must be an object');
  const spec = body as Record<string, unknown>;
  if (typeof spec.name !== 'string' || !NAME.test(spec.name))
    throw specProblem('name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  if (typeof spec.kind !== 'string') throw specProblem(`kind: must be one of ${[...kinds.keys()].join(', ')}`);
  const kind = kinds.get(spec.kind);
  if (kind === undefined) throw specProblem(`kind: '${spec.kind}' is not a kind; expected one of ${[...kinds.keys()].join(', ')}`);
  if (!(EVALUATOR_TARGETS as readonly unknown[]).includes(spec.target)) throw specProblem(`target: must be one of ${EVALUATOR_TARGETS.join(', ')}`);
  const sampleRate = spec.sampleRate ?? 1;
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) throw specProblem('sampleRate: must be a number from 0 to 1');
  const budget = spec.dailyBudgetUsd ?? kind.defaultDailyBudgetUsd ?? null;
  if (budget !== null && (typeof budget !== 'number' || !(budget >= 0) || !Number.isFinite(budget)))
    throw specProblem('dailyBudgetUsd: must be a number of USD, 0 or more');
  if (spec.filter !== undefined && typeof spec.filter !== 'string')
    throw specProblem("filter: must be the trace list's query string, like service=api&model=gpt-4o");
  const filter = parseFilter((spec.filter as string | undefined) ?? '');
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (!COMMON_FIELDS.has(key)) own[key] = value;
  if (options.unknownFields === 'refuse' && kind.fields !== undefined) {
    const unknown = Object.keys(own).find((key) => !kind.fields!.includes(key));
    if (unknown !== undefined) {
      throw specProblem(
        `${unknown}: '${unknown}' is not a field of ${/^[aeiou]/.test(kind.kind) ? 'an' : 'a'} ${kind.kind} evaluator (its fields: ${kind.fields.join(', ')}; and every evaluator's: ${[...COMMON_FIELDS].join(', ')})`,
      );
    }
  }
  const problem = kind.problem(own);
  if (problem !== null) throw specProblem(problem);
  return { spec: spec as EvaluatorSpec, kind, target: spec.target as EvaluatorTarget, filter, sampleRate, dailyBudgetUsd: budget as number | null };
}
