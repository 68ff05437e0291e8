import { DEFAULT_SAMPLING_KEEP, SPAN_CATEGORIES, type SamplingKeep, type SamplingPolicy, type ScoreFilter, type SpanCategory } from '@spoor/model';
import { parseDurationUs } from '../duration.js';
import { AppError } from '../errors.js';
import { parseFilter } from '../quality/spec.js';
import type { TraceFilter } from '../store/ports/evaluators.js';

/**
 * A project's tail-sampling policy, checked and resolved once (when set, or read at start) into
 * what deciding a trace needs: thresholds in microseconds by category index, score filters, the
 * trace list's filter parsed. Every problem is a 400 naming the key at fault.
 */
export interface ResolvedPolicy {
  /** The policy as given, its defaults filled in: what `GET` answers. */
  policy: SamplingPolicy;
  rate: number;
  errors: boolean;
  /** Per category index (`SPAN_CATEGORIES`), the duration past which a span keeps its trace, µs; `null` where none. */
  slowerThanUs: ReadonlyArray<number | null>;
  costOverUsd: number | null;
  /** One filter per score name: a trace whose mean score of that name is under the limit is kept. */
  scoreUnder: readonly ScoreFilter[];
  /** The `keep.filter`, `null` when none. */
  filter: TraceFilter | null;
}

const POLICY_KEYS = new Set(['rate', 'keep']);
const KEEP_KEYS = new Set(['errors', 'slowerThan', 'costOverUsd', 'scoreUnder', 'filter']);

export const policyProblem = (message: string): AppError => new AppError('ERR_BAD_REQUEST', `invalid sampling policy: ${message}`);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a policy (a body's or a file's) and resolves it; a policy with `rate` and no `keep` gets the default keep rules. */
export function resolvePolicy(body: unknown): ResolvedPolicy {
  if (!isObject(body)) throw policyProblem('the policy must be an object: { "rate": 0.1, "keep": { ... } }');
  for (const key of Object.keys(body)) if (!POLICY_KEYS.has(key)) throw policyProblem(`'${key}' is not a field of a policy (rate, keep)`);
  const rate = body.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw policyProblem('rate: must be a number from 0 to 1 (the share of the other traces kept)');
  const keep = body.keep === undefined ? DEFAULT_SAMPLING_KEEP : body.keep;
  if (!isObject(keep)) throw policyProblem('keep: must be an object of keep rules (errors, slowerThan, costOverUsd, scoreUnder, filter)');
  for (const key of Object.keys(keep))
    if (!KEEP_KEYS.has(key)) throw policyProblem(`keep.${key}: not a keep rule (errors, slowerThan, costOverUsd, scoreUnder, filter)`);

  if (keep.errors !== undefined && typeof keep.errors !== 'boolean') throw policyProblem('keep.errors: must be true or false');
  const slowerThanUs: Array<number | null> = SPAN_CATEGORIES.map(() => null);
  if (keep.slowerThan !== undefined) {
    if (!isObject(keep.slowerThan)) throw policyProblem(`keep.slowerThan: must map span categories (${SPAN_CATEGORIES.join(', ')}) to durations like "600s"`);
    for (const [category, text] of Object.entries(keep.slowerThan)) {
      const index = SPAN_CATEGORIES.indexOf(category as SpanCategory);
      if (index < 0) throw policyProblem(`keep.slowerThan.${category}: not a span category (${SPAN_CATEGORIES.join(', ')})`);
      const us = typeof text === 'string' ? parseDurationUs(text) : null;
      if (us === null) throw policyProblem(`keep.slowerThan.${category}: must be a duration with its unit, like "600s", "2m" or "500ms"`);
      slowerThanUs[index] = us;
    }
  }
  const cost = keep.costOverUsd;
  if (cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0))
    throw policyProblem('keep.costOverUsd: must be a number of USD, 0 or more');
  const scoreUnder: ScoreFilter[] = [];
  if (keep.scoreUnder !== undefined) {
    if (!isObject(keep.scoreUnder)) throw policyProblem('keep.scoreUnder: must map score names to numbers, like { "helpfulness": 0.5 }');
    for (const [name, value] of Object.entries(keep.scoreUnder)) {
      if (name.trim() === '' || name !== name.trim()) throw policyProblem(`keep.scoreUnder: '${name}' is not a score name`);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw policyProblem(`keep.scoreUnder.${name}: must be a number`);
      scoreUnder.push({ name, op: '<', value });
    }
  }
  if (keep.filter !== undefined && typeof keep.filter !== 'string')
    throw policyProblem("keep.filter: must be the trace list's query string, like service=checkout&model=gpt-4o");
  const filterText = (keep.filter as string | undefined)?.trim() ?? '';
  const filter = filterText === '' ? null : parseFilter(filterText, (message) => policyProblem(`keep.${message}`));
  return {
    policy: { rate, keep: keep as SamplingKeep },
    rate,
    errors: keep.errors === true,
    slowerThanUs,
    costOverUsd: cost === undefined ? null : (cost as number),
    scoreUnder,
    filter,
  };
}

/** The `--sampling` file: a policy for every project, and policies of their own for some. */
export interface SamplingFile {
  fallback: ResolvedPolicy | null;
  projects: ReadonlyMap<string, ResolvedPolicy>;
}

/**
 * The `--sampling` file's JSON: one policy for every project, or `{ "default": policy,
 * "projects": { "name": policy } }` (as the `--mask` file). Checked whole; a problem names where.
 */
export function samplingFileOf(json: unknown, where: string): SamplingFile {
  const inFile = (what: string, body: unknown): ResolvedPolicy => {
    try {
      return resolvePolicy(body);
    } catch (error) {
      throw new Error(`${where}${what}: ${(error as Error).message}`, { cause: error });
    }
  };
  if (isObject(json) && ('default' in json || 'projects' in json)) {
    for (const key of Object.keys(json))
      if (key !== 'default' && key !== 'projects') throw new Error(`${where}: '${key}' is not a field of a sampling file (known: default, projects)`);
    const projects = json.projects ?? {};
    if (!isObject(projects)) throw new Error(`${where}: 'projects' maps project names to policies`);
    return {
      fallback: json.default === undefined ? null : inFile(' (default)', json.default),
      projects: new Map(Object.entries(projects).map(([project, policy]) => [project, inFile(` (project ${project})`, policy)])),
    };
  }
  return { fallback: inFile('', json), projects: new Map() };
}

/** The file's policy for a project: its own, else the file's default, else none. */
export function filePolicyFor(file: SamplingFile | null, projectId: string): ResolvedPolicy | null {
  if (file === null) return null;
  return file.projects.get(projectId) ?? file.fallback;
}
