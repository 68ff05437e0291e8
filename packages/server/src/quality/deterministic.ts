import { RegexError, compileRegex, regexLimits } from '../regex.js';
import { SchemaError, compileJsonSchema } from './json-schema.js';
import { type EvaluationTarget, type EvaluatorKind, type Judgement, NothingToJudge } from './kind.js';
import { INLINE_CHARS, testOffThread } from './regex-offthread.js';

/**
 * The deterministic kinds: checks computed from the target alone, free (cost 0) and immediate.
 * Each judges 1 (pass) or 0 (fail) with a comment saying why. A compiled form of the spec (a
 * regex, a schema) is made once per spec object and kept, not once per target.
 */

type Spec = Record<string, unknown>;

const pass = (comment: string): Judgement => ({ value: 1, label: 'pass', comment, costUsd: 0 });
const fail = (comment: string): Judgement => ({ value: 0, label: 'fail', comment, costUsd: 0 });
const verdict = (ok: boolean, yes: string, no: string): Judgement => (ok ? pass(yes) : fail(no));

/** What a spec compiles to, per spec object: compiled once, used for every target. */
function cached<T>(make: (spec: Spec) => T): (spec: Spec) => T {
  const made = new WeakMap<Spec, T>();
  return (spec) => {
    let value = made.get(spec);
    if (value === undefined) made.set(spec, (value = make(spec)));
    return value;
  };
}

/** `on`: which text of the target a text kind reads (default the output). */
function onProblem(spec: Spec): string | null {
  return spec.on === undefined || spec.on === 'input' || spec.on === 'output' ? null : "on: must be 'input' or 'output'";
}
const textOf = (spec: Spec, target: EvaluationTarget): string | null => (spec.on === 'input' ? target.input : target.output);
const which = (spec: Spec): string => (spec.on === 'input' ? 'input' : 'output');

function missingText(spec: Spec, target: EvaluationTarget): string {
  const text = textOf(spec, target);
  if (text === null) throw new NothingToJudge(`the target has no ${which(spec)} to judge`);
  return text;
}

const nonEmptyText = (spec: Spec, field: string): string | null =>
  typeof spec[field] === 'string' && spec[field] !== '' ? null : `${field}: must be a non-empty string`;
const positiveNumber = (spec: Spec, field: string, optional = false): string | null => {
  const value = spec[field];
  if (value === undefined && optional) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : `${field}: must be a number, 0 or more`;
};

const regexOf = cached((spec) => compileRegex(spec.pattern as string));

export const regexKind: EvaluatorKind<Spec> = {
  kind: 'regex',
  fields: ['pattern', 'on'],
  problem(spec) {
    const problem = nonEmptyText(spec, 'pattern') ?? onProblem(spec);
    if (problem !== null) return problem;
    try {
      compileRegex(spec.pattern as string);
      return null;
    } catch (error) {
      if (error instanceof RegexError) return `pattern: ${error.message}`;
      throw error;
    }
  },
  judge: async (spec, target) => {
    const text = missingText(spec, target);
    const pattern = spec.pattern as string;
    // A long text is tested on the regex thread, so no text holds the thread that answers HTTP.
    const matched = text.length <= INLINE_CHARS ? regexOf(spec).test(text) : await testOffThread(pattern, text);
    const { maxChars } = regexLimits();
    const read = text.length > maxChars ? ` in its first ${maxChars} characters (--regex-max-chars)` : '';
    return verdict(matched, `the ${which(spec)} matches /${pattern}/${read}`, `the ${which(spec)} does not match /${pattern}/${read}`);
  },
};

export const containsKind: EvaluatorKind<Spec> = {
  kind: 'contains',
  fields: ['text', 'caseSensitive', 'on'],
  problem: (spec) =>
    nonEmptyText(spec, 'text') ??
    onProblem(spec) ??
    (spec.caseSensitive === undefined || typeof spec.caseSensitive === 'boolean' ? null : 'caseSensitive: must be true or false'),
  judge: async (spec, target) => {
    const text = missingText(spec, target);
    const needle = spec.text as string;
    const found = spec.caseSensitive === true ? text.includes(needle) : text.toLowerCase().includes(needle.toLowerCase());
    return verdict(found, `the ${which(spec)} contains '${needle}'`, `the ${which(spec)} does not contain '${needle}'`);
  },
};

export const equalsKind: EvaluatorKind<Spec> = {
  kind: 'equals',
  fields: ['expected'],
  problem: (spec) => (spec.expected === undefined || typeof spec.expected === 'string' ? null : 'expected: must be a string'),
  judge: async (spec, target) => {
    const expected = (spec.expected as string | undefined) ?? target.expected;
    if (expected === null) throw new NothingToJudge("no expected output: the spec's 'expected' is not set and the target has none");
    const output = missingText({}, target);
    // Surrounding white space is how a model ends its answer, not what it answered.
    return verdict(output.trim() === expected.trim(), 'the output equals the expected output', 'the output differs from the expected output');
  },
};

const schemaOf = cached((spec) => compileJsonSchema(spec.schema));

export const jsonSchemaKind: EvaluatorKind<Spec> = {
  kind: 'json-schema',
  fields: ['schema'],
  problem(spec) {
    if (spec.schema === undefined) return 'schema: a JSON schema is needed';
    try {
      compileJsonSchema(spec.schema);
      return null;
    } catch (error) {
      if (error instanceof SchemaError) return error.message;
      throw error;
    }
  },
  judge: async (spec, target) => {
    const output = missingText({}, target);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      return fail('the output is not JSON');
    }
    return verdict(schemaOf(spec)(parsed), 'the output is JSON that matches the schema', 'the output is JSON that does not match the schema');
  },
};

export const lengthKind: EvaluatorKind<Spec> = {
  kind: 'length',
  fields: ['min', 'max', 'on'],
  problem(spec) {
    const problem = positiveNumber(spec, 'min', true) ?? positiveNumber(spec, 'max', true) ?? onProblem(spec);
    if (problem !== null) return problem;
    if (spec.min === undefined && spec.max === undefined) return 'min: give min, max or both (characters)';
    if (typeof spec.min === 'number' && typeof spec.max === 'number' && spec.min > spec.max) return 'min: must not be more than max';
    return null;
  },
  judge: async (spec, target) => {
    // Characters as a reader counts them: code points, not UTF-16 units.
    const n = [...missingText(spec, target)].length;
    const ok = (spec.min === undefined || n >= (spec.min as number)) && (spec.max === undefined || n <= (spec.max as number));
    return verdict(
      ok,
      `the ${which(spec)} is ${n} characters long`,
      `the ${which(spec)} is ${n} characters long, outside ${String(spec.min ?? 0)}..${String(spec.max ?? '∞')}`,
    );
  },
};

export const latencyKind: EvaluatorKind<Spec> = {
  kind: 'latency',
  fields: ['maxMs'],
  problem: (spec) => positiveNumber(spec, 'maxMs'),
  judge: async (spec, target) =>
    verdict(
      target.durationMs <= (spec.maxMs as number),
      `took ${target.durationMs} ms, within ${spec.maxMs as number} ms`,
      `took ${target.durationMs} ms, over ${spec.maxMs as number} ms`,
    ),
};

export const costKind: EvaluatorKind<Spec> = {
  kind: 'cost',
  fields: ['maxUsd'],
  problem: (spec) => positiveNumber(spec, 'maxUsd'),
  judge: async (spec, target) => {
    if (target.costUsd === null) throw new NothingToJudge('the target has no known cost (no priced LLM call)');
    return verdict(
      target.costUsd <= (spec.maxUsd as number),
      `cost $${target.costUsd}, within $${spec.maxUsd as number}`,
      `cost $${target.costUsd}, over $${spec.maxUsd as number}`,
    );
  },
};

export const toolCalledKind: EvaluatorKind<Spec> = {
  kind: 'tool-called',
  fields: ['tool'],
  problem: (spec) => nonEmptyText(spec, 'tool'),
  judge: async (spec, target) =>
    verdict(target.toolNames.includes(spec.tool as string), `called the tool '${spec.tool as string}'`, `did not call the tool '${spec.tool as string}'`),
};

/** Every deterministic kind. */
export const DETERMINISTIC_KINDS: readonly EvaluatorKind<Spec>[] = [
  regexKind,
  containsKind,
  equalsKind,
  jsonSchemaKind,
  lengthKind,
  latencyKind,
  costKind,
  toolCalledKind,
];
