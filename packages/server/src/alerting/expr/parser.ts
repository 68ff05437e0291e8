import type { Aggregate, AggregateFn, Anomaly, CompareOp, Expr, Matcher, MatchOp, Source, ValueExpr } from './ast.js';
import {
  ALL_FUNCTIONS,
  builtinSource,
  closedValues,
  didYouMean,
  FUNCTIONS,
  isBareMetricName,
  LABELS,
  labelKind,
  listOf,
  SOURCE_NAMES,
  sourceName,
} from './catalogue.js';
import { formatDurationUs } from './format.js';
import { lex, type Token } from './lexer.js';
import { parseDurationUs, SECOND_US } from '../../duration.js';
import { compileRegex } from '../../regex.js';

/**
 * A rule expression that does not parse, with where: `column` (1-based, on `line`) and `length`
 * mark the part of the text at fault; `message` says what was expected there.
 */
export class ExprError extends Error {
  /** The whole expression text. */
  readonly expression: string;
  /** 0-based offset of the fault in `expression`. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** How many characters the fault spans; at least 1 (a fault at the end points past it). */
  readonly length: number;

  constructor(expression: string, message: string, start: number, end: number) {
    super(message);
    this.name = 'ExprError';
    const before = expression.slice(0, start);
    this.expression = expression;
    this.offset = start;
    this.line = before.split('\n').length;
    this.column = start - (before.lastIndexOf('\n') + 1) + 1;
    this.length = Math.max(1, end - start);
  }

  /**
   * The line at fault, then carets under the fault and the message:
   * ```
   * p95(duration_ms{service="rag")[5m] > 3000
   *                              ^ expected ',' or '}' after a matcher
   * ```
   */
  format(): string {
    const lineStart = this.offset - (this.column - 1);
    const newline = this.expression.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? this.expression.length : newline;
    const text = this.expression.slice(lineStart, lineEnd);
    const indent = text.slice(0, this.column - 1).replace(/[^\t]/g, ' '); // tabs stay tabs so the caret lines up
    const carets = '^'.repeat(Math.max(1, Math.min(this.length, lineEnd - this.offset)));
    return `${text}\n${indent}${carets} ${this.message}`;
  }
}

/**
 * Parses an alert rule expression (the language is documented in `EXPR_REFERENCE`), checking
 * that each function applies to its source and each label to the source.
 * @throws ExprError saying what was expected, and where.
 */
export function parseExpr(text: string): Expr {
  return new Parser(text).parseRule();
}

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['>', '>=', '<', '<=', '==', '!=']);
const MATCH_OPS: ReadonlySet<string> = new Set<MatchOp>(['=', '!=', '=~', '!~']);
const NUMBER_PARTS = /^(-?\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?(.*)$/s;
/** Threshold unit → [power of ten, factor]: durations compare in milliseconds, `%` as a fraction. */
const THRESHOLD_UNITS = new Map<string, [number, number]>([
  ['', [0, 1]],
  ['ms', [0, 1]],
  ['s', [3, 1]],
  ['m', [3, 60]],
  ['h', [3, 3600]],
  ['%', [-2, 1]],
]);

class Parser {
  private readonly text: string;
  private readonly tokens: Token[];
  private index = 0;

  constructor(text: string) {
    this.text = text;
    this.tokens = lex(text);
  }

  parseRule(): Expr {
    const value = this.parseValue();
    const next = this.peek();
    if (next.kind === 'eof') return value;
    if (next.kind !== 'op' || !COMPARE_OPS.has(next.value)) {
      this.fail(`expected a comparison (>, >=, <, <=, == or !=) or the end of the expression${hintAfterValue(value, next)}`, next);
    }
    const op = this.next().value as CompareOp;
    const threshold = this.parseThreshold(op);
    if (this.peek().kind !== 'eof') this.fail('expected the end of the expression after the threshold', this.peek());
    return { kind: 'compare', op, value, threshold, pos: { start: value.pos.start, end: this.lastEnd() } };
  }

  private parseValue(): ValueExpr {
    const token = this.peek();
    return token.kind === 'ident' && token.value === 'anomaly' ? this.parseAnomaly() : this.parseAggregate(false);
  }

  private parseAnomaly(): Anomaly {
    const start = this.next().start;
    this.expectPunct('(', "expected '(' after 'anomaly'");
    const inner = this.parseAggregate(true);
    this.expectPunct(')', "expected ')' to close 'anomaly('");
    this.expectPunct('[', "expected '[' and a baseline period like [1d] after 'anomaly(...)'");
    const [baselineUs, token] = this.parseDuration('baseline period', '1d');
    const leastUs = 4 * inner.windowUs;
    if (baselineUs < leastUs) {
      this.fail(`expected a baseline period of at least ${formatDurationUs(leastUs)} (4× the ${formatDurationUs(inner.windowUs)} window)`, token);
    }
    this.expectPunct(']', "expected ']' after the baseline period");
    return { kind: 'anomaly', inner, baselineUs, pos: { start, end: this.lastEnd() } };
  }

  private parseAggregate(nested: boolean): Aggregate {
    const fnToken = this.peek();
    if (fnToken.kind !== 'ident') {
      this.fail(
        nested ? 'expected an aggregate like p95(duration_ms)[5m] inside anomaly(...)' : 'expected a function like p95(...) or count(...), or anomaly(...)',
        fnToken,
      );
    }
    if (nested && fnToken.value === 'anomaly') this.fail('anomaly(...) cannot be nested; expected an aggregate like p95(duration_ms)[5m]', fnToken);
    const candidates: readonly string[] = nested ? ALL_FUNCTIONS : [...ALL_FUNCTIONS, 'anomaly'];
    if (!candidates.includes(fnToken.value)) {
      this.fail(`unknown function '${fnToken.value}'${didYouMean(fnToken.value, candidates)}; expected one of ${listOf(candidates)}`, fnToken);
    }
    const fn = this.next().value as AggregateFn;
    this.expectPunct('(', `expected '(' after '${fn}'`);
    const source = this.parseSource();
    if (!FUNCTIONS[source.kind].includes(fn)) {
      const appliesTo = (Object.keys(FUNCTIONS) as Source['kind'][])
        .filter((kind) => FUNCTIONS[kind].includes(fn))
        .map((kind) => (kind === 'metric' ? 'metrics' : SOURCE_NAMES[kind]));
      this.fail(`'${fn}' does not apply to ${describe(source)}; expected ${listOf(FUNCTIONS[source.kind])} (${fn} applies to ${listOf(appliesTo)})`, fnToken);
    }
    const braced = this.peekPunct('{');
    const matchers = braced ? this.parseMatchers(source) : [];
    this.expectPunct(')', braced ? `expected ')' to close '${fn}('` : "expected '{' or ')' after the source");
    this.expectPunct('[', `expected '[' and a window like [5m] after '${fn}(...)'`);
    const [windowUs, windowToken] = this.parseDuration('window', '5m');
    if (windowUs < SECOND_US) this.fail('expected a window of at least 1s', windowToken);
    this.expectPunct(']', "expected ']' after the window");
    const by = this.peek().kind === 'ident' && this.peek().value === 'by' ? this.parseBy(source) : [];
    return { kind: 'aggregate', fn, source, matchers, windowUs, by, pos: { start: fnToken.start, end: this.lastEnd() } };
  }

  private parseSource(): Source {
    const token = this.peek();
    if (token.kind === 'string') {
      if (token.value === '') this.fail('expected a metric name inside the quotes', token);
      this.next();
      return { kind: 'metric', name: token.value };
    }
    if (token.kind !== 'ident') this.fail('expected a source: spans, duration_ms, logs, errors, score or a metric name', token);
    const name = this.next().value;
    const builtin = builtinSource(name);
    if (builtin !== null) return builtin;
    if (!isBareMetricName(name)) {
      const sources = Object.values(SOURCE_NAMES);
      this.fail(
        `unknown source '${name}'${didYouMean(name, sources)}; expected ${sources.join(', ')} or a metric name (write "${name}" in quotes for an app metric of that name)`,
        token,
      );
    }
    return { kind: 'metric', name };
  }

  private parseMatchers(source: Source): Matcher[] {
    this.next(); // '{'
    const matchers: Matcher[] = [];
    while (!this.peekPunct('}')) {
      matchers.push(this.parseMatcher(source));
      if (this.peekPunct(',')) this.next();
      else if (!this.peekPunct('}')) this.fail("expected ',' or '}' after a matcher", this.peek());
    }
    this.next(); // '}'
    return matchers;
  }

  private parseMatcher(source: Source): Matcher {
    const labelToken = this.peek();
    const label = this.parseLabel(source, "expected a label or '}'");
    const opToken = this.peek();
    if (opToken.kind !== 'op' || !MATCH_OPS.has(opToken.value)) this.fail(`expected '=', '!=', '=~' or '!~' after '${label}'`, opToken);
    const op = this.next().value as MatchOp;
    const regex = op === '=~' || op === '!~';
    if (source.kind === 'logs' && label === 'severity' && regex)
      this.fail("expected '=' or '!=' after 'severity'; it takes one of its values, not a regular expression", opToken);
    if (source.kind === 'logs' && label === 'text' && !regex) this.fail("expected '=~' or '!~' after 'text', a regular expression over the log body", opToken);
    const valueToken = this.peek();
    if (valueToken.kind !== 'string') {
      const hint = valueToken.kind === 'ident' || valueToken.kind === 'number' ? ` (write "${valueToken.text}")` : '';
      this.fail(`expected a quoted value after '${op}'${hint}`, valueToken);
    }
    const value = this.next().value;
    if (regex) {
      const problem = regexProblem(value);
      if (problem !== null) this.fail(`expected a valid regular expression: ${problem}`, valueToken);
    } else {
      const allowed = closedValues(source.kind, label);
      if (allowed !== null && !allowed.includes(value))
        this.fail(`unknown ${label} "${value}"${didYouMean(value, allowed)}; expected ${listOf(allowed)}`, valueToken);
    }
    return { label, op, value, pos: { start: labelToken.start, end: valueToken.end } };
  }

  private parseBy(source: Source): string[] {
    this.next(); // 'by'
    this.expectPunct('(', "expected '(' after 'by'");
    const labels: string[] = [];
    do {
      const token = this.peek();
      const label = this.parseLabel(source, labels.length === 0 ? 'expected a label to group by' : "expected a label after ','");
      if (source.kind === 'logs' && label === 'text') this.fail("expected a label other than 'text' in by (...); logs cannot be grouped by their body", token);
      if (labels.includes(label)) this.fail(`expected a label not already in by (...); '${label}' is there twice`, token);
      labels.push(label);
    } while (this.acceptPunct(','));
    this.expectPunct(')', "expected ',' or ')' after a label");
    return labels;
  }

  private parseLabel(source: Source, expected: string): string {
    const token = this.peek();
    if (token.kind !== 'ident' && token.kind !== 'string') this.fail(expected, token);
    if (token.value === '') this.fail('expected a label name inside the quotes', token);
    if (labelKind(source.kind, token.value, token.kind === 'string') === 'unknown') {
      const builtins = LABELS[source.kind] ?? [];
      const attributes = source.kind === 'errors' || source.kind === 'scores' ? '' : ', or an attribute key with a dot or in quotes';
      this.fail(`unknown label '${token.value}' for ${describe(source)}${didYouMean(token.value, builtins)}; expected ${listOf(builtins)}${attributes}`, token);
    }
    return this.next().value;
  }

  /** A duration with a unit, in microseconds, and the token it was read from. */
  private parseDuration(what: string, example: string): [number, Token] {
    const token = this.peek();
    if (token.kind !== 'number') this.fail(`expected a ${what} like ${example}`, token);
    const us = parseDurationUs(token.text);
    if (us === null) this.fail(`'${token.text}' is not a duration; expected a ${what} like ${example}: a number and a unit (ms, s, m, h, d or w)`, token);
    if (!Number.isSafeInteger(us)) this.fail(`expected a ${what} shorter than 285 years`, token);
    return [us, this.next()];
  }

  private parseThreshold(op: CompareOp): number {
    const token = this.peek();
    if (token.kind !== 'number') this.fail(`expected a number after '${op}'`, token);
    const [, mantissa = '', exponent = '0', unit = ''] = NUMBER_PARTS.exec(token.text) ?? [];
    const scale = THRESHOLD_UNITS.get(unit);
    if (scale === undefined) {
      const unitStart = token.end - unit.length;
      this.fail(`unknown unit '${unit}'; expected a plain number, a duration in ms, s, m or h (compared in milliseconds), or a percentage`, {
        start: unitStart,
        end: token.end,
      });
    }
    // Shifting the exponent in decimal keeps `1.1s` exactly 1100 and `5%` exactly 0.05; `+ 0` turns -0 into 0.
    const threshold = Number(`${mantissa}e${Number(exponent) + scale[0]}`) * scale[1] + 0;
    if (!Number.isFinite(threshold)) this.fail('expected a finite number', token);
    this.next();
    return threshold;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private lastEnd(): number {
    return this.tokens[this.index - 1]!.end;
  }

  private peekPunct(char: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.value === char;
  }

  private acceptPunct(char: string): boolean {
    if (!this.peekPunct(char)) return false;
    this.next();
    return true;
  }

  private expectPunct(char: string, expected: string): void {
    if (!this.acceptPunct(char)) this.fail(expected, this.peek());
  }

  /** Throws at `at`; a token the lexer could not read reports its own problem when it has one. */
  private fail(expected: string, at: Token | { start: number; end: number }): never {
    const message = 'kind' in at && at.kind === 'invalid' && at.problem !== undefined ? at.problem : expected;
    throw new ExprError(this.text, message, at.start, at.end);
  }
}

function describe(source: Source): string {
  return source.kind === 'metric' ? `metric '${source.name}'` : sourceName(source);
}

/** What likely went wrong when a value is followed by something other than a comparison. */
function hintAfterValue(value: ValueExpr, next: Token): string {
  if (next.kind === 'op' && next.value === '=') return "; use '==' for equality";
  if (next.kind !== 'ident' || next.value.toLowerCase() !== 'by') return '';
  if (next.value !== 'by') return "; keywords are lowercase: 'by'";
  return value.kind === 'anomaly' ? "; 'by (...)' goes inside anomaly(...), after the inner window" : '';
}

/** Why `pattern` is not a regular expression RE2 takes (rules match with it, in SQL and here); null when it is fine. */
function regexProblem(pattern: string): string | null {
  try {
    compileRegex(pattern);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
