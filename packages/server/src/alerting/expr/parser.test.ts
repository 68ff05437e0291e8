import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Expr, Source } from './ast.js';
import { ALL_FUNCTIONS, LABELS, SOURCE_NAMES } from './catalogue.js';
import { formatExpr } from './format.js';
import { ExprError, parseExpr } from './parser.js';
import { EXPR_REFERENCE } from './reference.js';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US } from '../../duration.js';

const SPANS: Source = { kind: 'spans' };
const DURATION: Source = { kind: 'duration' };
const LOGS: Source = { kind: 'logs' };
const ERRORS: Source = { kind: 'errors' };
const SCORES: Source = { kind: 'scores' };
const metric = (name: string): Source => ({ kind: 'metric', name });
const m = (label: string, op: string, value: string) => ({ label, op, value });
const agg = (fn: string, source: Source, windowUs: number, matchers: object[] = [], by: string[] = []) => ({
  kind: 'aggregate',
  fn,
  source,
  matchers,
  windowUs,
  by,
});
const anomaly = (inner: object, baselineUs: number) => ({ kind: 'anomaly', inner, baselineUs });
const cmp = (op: string, threshold: number, value: object) => ({ kind: 'compare', op, value, threshold });

/** The tree without positions, which have their own test. */
function withoutPos(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPos);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'pos')
      .map(([key, value]) => [key, withoutPos(value)]),
  );
}

const VALID: [string, object][] = [
  // The forms of the brief.
  [
    'p95(duration_ms{service="rag", name="retrieval"})[5m] > 3000',
    cmp('>', 3000, agg('p95', DURATION, 5 * MINUTE_US, [m('service', '=', 'rag'), m('name', '=', 'retrieval')])),
  ],
  ['p95(duration_ms{service="rag"})[5m] > 3s', cmp('>', 3000, agg('p95', DURATION, 5 * MINUTE_US, [m('service', '=', 'rag')]))],
  ['error_rate(spans{service="rag"})[5m] > 5%', cmp('>', 0.05, agg('error_rate', SPANS, 5 * MINUTE_US, [m('service', '=', 'rag')]))],
  ['cost_per_workflow(spans)[1h] > 1', cmp('>', 1, agg('cost_per_workflow', SPANS, HOUR_US))],
  [
    'count(logs{severity="error", text=~"time(d )?out"})[5m] >= 10',
    cmp('>=', 10, agg('count', LOGS, 5 * MINUTE_US, [m('severity', '=', 'error'), m('text', '=~', 'time(d )?out')])),
  ],
  ['new_error_group(errors)[15m] > 0', cmp('>', 0, agg('new_error_group', ERRORS, 15 * MINUTE_US))],
  [
    'rate(http.server.request.count{route="/chat"})[5m] by (route) > 20',
    cmp('>', 20, agg('rate', metric('http.server.request.count'), 5 * MINUTE_US, [m('route', '=', '/chat')], ['route'])),
  ],
  ['p99("queue wait"{queue="ingest"})[10m] > 250', cmp('>', 250, agg('p99', metric('queue wait'), 10 * MINUTE_US, [m('queue', '=', 'ingest')]))],
  ['anomaly(p95(duration_ms{service="rag"})[5m])[1d] > 3', cmp('>', 3, anomaly(agg('p95', DURATION, 5 * MINUTE_US, [m('service', '=', 'rag')]), DAY_US))],
  ['avg(score{name="faithfulness"})[1h] < 0.7', cmp('<', 0.7, agg('avg', SCORES, HOUR_US, [m('name', '=', 'faithfulness')]))],
  ['count(score{name="thumbs",label="down"})[15m] > 5', cmp('>', 5, agg('count', SCORES, 15 * MINUTE_US, [m('name', '=', 'thumbs'), m('label', '=', 'down')]))],
  [
    'p90(score{source="evaluator", author=~"judge@.*"})[1h] by (name, author) < 50%',
    cmp('<', 0.5, agg('p90', SCORES, HOUR_US, [m('source', '=', 'evaluator'), m('author', '=~', 'judge@.*')], ['name', 'author'])),
  ],
  ['tokens(spans{model="gpt-4o"})[1h] by (service, model)', agg('tokens', SPANS, HOUR_US, [m('model', '=', 'gpt-4o')], ['service', 'model'])],
  // Every comparison and matcher operator.
  ['count(spans)[1m] < 1', cmp('<', 1, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] <= 1', cmp('<=', 1, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] == 1', cmp('==', 1, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] != 1', cmp('!=', 1, agg('count', SPANS, MINUTE_US))],
  [
    'errors(spans{status!="ok", name!~"health.*", model=~"gpt-.*"})[1m]',
    agg('errors', SPANS, MINUTE_US, [m('status', '!=', 'ok'), m('name', '!~', 'health.*'), m('model', '=~', 'gpt-.*')]),
  ],
  // Selectors: empty braces, a trailing comma, quoted and dotted labels, single quotes and escapes.
  ['count(spans{})[1m]', agg('count', SPANS, MINUTE_US)],
  ['avg(duration_ms{status="error",})[1m]', agg('avg', DURATION, MINUTE_US, [m('status', '=', 'error')])],
  [
    'count(spans{service.version="1.2", "tenant"="acme", "service"="rag"})[1m]',
    agg('count', SPANS, MINUTE_US, [m('service.version', '=', '1.2'), m('tenant', '=', 'acme'), m('service', '=', 'rag')]),
  ],
  [
    "rate(logs{'text'=~'it\\'s \"quoted\"\\\\d\\n\\t', severity!='debug'})[1m]",
    agg('rate', LOGS, MINUTE_US, [m('text', '=~', 'it\'s "quoted"\\d\n\t'), m('severity', '!=', 'debug')]),
  ],
  [
    'count(logs{trace_id="abc", http.route="/x"})[1m] by (severity, service)',
    agg('count', LOGS, MINUTE_US, [m('trace_id', '=', 'abc'), m('http.route', '=', '/x')], ['severity', 'service']),
  ],
  [
    'regressed_error_group(errors{type="TimeoutError", tool="search"})[1h] by (fingerprint, provider) > 0',
    cmp('>', 0, agg('regressed_error_group', ERRORS, HOUR_US, [m('type', '=', 'TimeoutError'), m('tool', '=', 'search')], ['fingerprint', 'provider'])),
  ],
  // Sources: a quoted built-in name is a metric; metrics take any label.
  ['last("spans"{anything="x"})[1m] by (anything, "other key")', agg('last', metric('spans'), MINUTE_US, [m('anything', '=', 'x')], ['anything', 'other key'])],
  ['increase(queue_depth)[30s]', agg('increase', metric('queue_depth'), 30 * SECOND_US)],
  ['sum("duraton_ms")[1m]', agg('sum', metric('duraton_ms'), MINUTE_US)],
  // Windows and thresholds in every unit.
  ['count(spans)[1000ms] > 250ms', cmp('>', 250, agg('count', SPANS, SECOND_US))],
  ['count(spans)[1.5h] > 1.1s', cmp('>', 1100, agg('count', SPANS, 90 * MINUTE_US))],
  ['count(spans)[2w] > 2.5m', cmp('>', 150_000, agg('count', SPANS, 14 * DAY_US))],
  ['count(spans)[1001ms] > 1h', cmp('>', 3_600_000, agg('count', SPANS, 1_001_000))],
  ['count(spans)[1m] > 0.1%', cmp('>', 0.001, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] > -12.5%', cmp('>', -0.125, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] > 2e3', cmp('>', 2000, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] > 1.5E-7', cmp('>', 1.5e-7, agg('count', SPANS, MINUTE_US))],
  ['count(spans)[1m] > -0', cmp('>', 0, agg('count', SPANS, MINUTE_US))],
  // Anomalies group inside; the baseline may be exactly 4× the window.
  ['anomaly(rate(spans)[15m] by (service))[1h] >= 2.5', cmp('>=', 2.5, anomaly(agg('rate', SPANS, 15 * MINUTE_US, [], ['service']), HOUR_US))],
  ['anomaly(cost(spans)[1h])[1w]', anomaly(agg('cost', SPANS, HOUR_US), 7 * DAY_US)],
  // Whitespace, newlines and tabs anywhere between tokens.
  [
    '  p50 ( duration_ms { kind = "client" } ) [ 5m ]\n\tby ( name )\n> 10  ',
    cmp('>', 10, agg('p50', DURATION, 5 * MINUTE_US, [m('kind', '=', 'client')], ['name'])),
  ],
  [
    'max(duration_ms{category="llm",operation="chat",provider="openai",session="s1"})[1m]by(model)>1',
    cmp(
      '>',
      1,
      agg(
        'max',
        DURATION,
        MINUTE_US,
        [m('category', '=', 'llm'), m('operation', '=', 'chat'), m('provider', '=', 'openai'), m('session', '=', 's1')],
        ['model'],
      ),
    ),
  ],
];

describe('parseExpr', () => {
  it.each(VALID)('parses %j', (text, expected) => {
    expect(withoutPos(parseExpr(text))).toEqual(expected);
  });

  it('reads a threshold of -0 as 0', () => {
    expect(Object.is((parseExpr('count(spans)[1m] > -0') as { threshold: number }).threshold, 0)).toBe(true);
  });

  /** What each node's `pos` covers, outermost first. */
  function covered(text: string, expr: Expr): string[] {
    const out = [text.slice(expr.pos.start, expr.pos.end)];
    if (expr.kind === 'compare') return [...out, ...covered(text, expr.value)];
    if (expr.kind === 'anomaly') return [...out, ...covered(text, expr.inner)];
    return [...out, ...expr.matchers.map((matcher) => text.slice(matcher.pos.start, matcher.pos.end))];
  }

  it.each([
    [
      'p95(duration_ms{service="rag", name="retrieval"})[5m] > 3000',
      [
        'p95(duration_ms{service="rag", name="retrieval"})[5m] > 3000',
        'p95(duration_ms{service="rag", name="retrieval"})[5m]',
        'service="rag"',
        'name="retrieval"',
      ],
    ],
    [
      'anomaly( p95(duration_ms{ service = "rag" })[5m] by (name) )[1d] > 3s ',
      [
        'anomaly( p95(duration_ms{ service = "rag" })[5m] by (name) )[1d] > 3s',
        'anomaly( p95(duration_ms{ service = "rag" })[5m] by (name) )[1d]',
        'p95(duration_ms{ service = "rag" })[5m] by (name)',
        'service = "rag"',
      ],
    ],
    ['  tokens(spans)[1h] by (service, model)  ', ['tokens(spans)[1h] by (service, model)']],
  ])('records where each node of %j was written', (text, expected) => {
    expect(covered(text, parseExpr(text))).toEqual(expected);
  });
});

const INVALID: [string, number, number, string][] = [
  // [text, column, length, part of the message]
  ['', 1, 1, 'expected a function like p95(...) or count(...), or anomaly(...)'],
  ['p96(spans)[5m]', 1, 3, "unknown function 'p96' (did you mean 'p90', 'p95' or 'p99'?); expected one of count, rate, errors,"],
  ['P95(duration_ms)[5m]', 1, 3, "unknown function 'P95' (did you mean 'p95'?)"],
  [
    'p95(spans)[5m]',
    1,
    3,
    "'p95' does not apply to spans; expected count, rate, errors, error_rate, tokens, input_tokens, output_tokens, cost, cost_per_workflow or unpriced_calls (p95 applies to duration_ms, score or metrics)",
  ],
  [
    'error_rate(my_metric)[5m]',
    1,
    10,
    "'error_rate' does not apply to metric 'my_metric'; expected rate, increase, avg, min, max, sum, last, p50, p90, p95 or p99",
  ],
  ['count spans[5m]', 7, 5, "expected '(' after 'count'"],
  [
    'count(span)[5m]',
    7,
    4,
    "unknown source 'span' (did you mean 'spans'?); expected spans, duration_ms, logs, errors, score or a metric name (write \"span\" in quotes",
  ],
  ['p95(duraton_ms)[5m]', 5, 10, "unknown source 'duraton_ms' (did you mean 'duration_ms'?)"],
  ['count()[5m]', 7, 1, 'expected a source: spans, duration_ms, logs, errors, score or a metric name'],
  ['count(scores)[5m]', 7, 6, "unknown source 'scores' (did you mean 'score'?)"],
  ['errors(score)[5m]', 1, 6, "'errors' does not apply to score; expected count, rate, avg, min, max, sum, p50, p90, p95 or p99"],
  ['avg(score{service="rag"})[5m]', 11, 7, "unknown label 'service' for score; expected name, label, source or author"],
  ['avg(score{"tenant"="x"})[5m]', 11, 8, "unknown label 'tenant' for score; expected name, label, source or author"],
  ['count(score{source="user"})[5m]', 20, 6, 'unknown source "user"; expected otel, sdk, api, human or evaluator'],
  ['count("")[5m]', 7, 2, 'expected a metric name inside the quotes'],
  ['count(spans @)', 13, 1, "expected '{' or ')' after the source"],
  ['p95(duration_ms service="rag")[5m]', 17, 7, "expected '{' or ')' after the source"],
  ['p95(duration_ms{service="rag")[5m] > 3000', 30, 1, "expected ',' or '}' after a matcher"],
  ['count(spans{service="a" name="b"})[5m]', 25, 4, "expected ',' or '}' after a matcher"],
  ['p95(duration_ms{service="rag"}[5m]', 31, 1, "expected ')' to close 'p95('"],
  ['count(spans{service="a"}', 25, 1, "expected ')' to close 'count('"],
  ['count(spans{,})[5m]', 13, 1, "expected a label or '}'"],
  ['count(spans{"" = "x"})[5m]', 13, 2, 'expected a label name inside the quotes'],
  ['count(spans{servce="x"})[5m]', 13, 6, "unknown label 'servce' for spans (did you mean 'service'?); expected service, name, kind,"],
  ['count(spans{tenant="x"})[5m]', 13, 6, 'or session, or an attribute key with a dot or in quotes'],
  ['count(errors{"tenant"="x"})[5m]', 14, 8, "unknown label 'tenant' for errors; expected service, fingerprint, type, provider or tool"],
  ['count(spans{service})[5m]', 20, 1, "expected '=', '!=', '=~' or '!~' after 'service'"],
  ['count(spans{service=="rag"})[5m]', 20, 2, "expected '=', '!=', '=~' or '!~' after 'service'"],
  ['count(spans{service=rag})[5m]', 21, 3, 'expected a quoted value after \'=\' (write "rag")'],
  ['count(spans{status="failed"})[5m]', 20, 8, 'unknown status "failed"; expected unset, ok or error'],
  ['count(logs{severity="warning"})[5m]', 21, 9, 'unknown severity "warning" (did you mean \'warn\'?); expected trace, debug, info, warn, error or fatal'],
  ['count(logs{severity=~"err.*"})[5m]', 20, 2, "expected '=' or '!=' after 'severity'"],
  ['count(logs{text="timeout"})[5m]', 16, 1, "expected '=~' or '!~' after 'text'"],
  ['count(logs{text=~"time(d out"})[5m]', 18, 12, 'expected a valid regular expression: missing closing ): `time(d out`'],
  [
    'count(logs{text=~"time(?!out)"})[5m]',
    18,
    13,
    'expected a valid regular expression: lookarounds and back-references are not supported (patterns are matched with RE2)',
  ],
  ['count(spans{name=~"(a)\\\\1"})[5m]', 19, 8, 'expected a valid regular expression: lookarounds and back-references'],
  ['count(spans{service="a\\q"})[5m]', 23, 2, "unknown escape '\\q' in a string; expected"],
  ['count(spans{service="rag)[5m]', 21, 9, 'unterminated string; expected a closing "'],
  ['count(spans)', 13, 1, "expected '[' and a window like [5m] after 'count(...)'"],
  ['count(spans)[]', 14, 1, 'expected a window like 5m'],
  ['count(spans)[5]', 14, 1, "'5' is not a duration; expected a window like 5m: a number and a unit (ms, s, m, h, d or w)"],
  ['count(spans)[5mins]', 14, 5, "'5mins' is not a duration"],
  ['count(spans)[500ms]', 14, 5, 'expected a window of at least 1s'],
  ['count(spans)[5m', 16, 1, "expected ']' after the window"],
  ['count(spans)[5m] by service', 21, 7, "expected '(' after 'by'"],
  ['count(spans)[5m] by ()', 22, 1, 'expected a label to group by'],
  ['count(spans)[5m] by (service,)', 30, 1, "expected a label after ','"],
  ['count(spans)[5m] by (service, service)', 31, 7, "'service' is there twice"],
  ['count(spans)[5m] by (service', 29, 1, "expected ',' or ')' after a label"],
  ['count(logs)[5m] by (text)', 21, 4, "expected a label other than 'text' in by (...)"],
  ['count(spans)[5m] by (servce)', 22, 6, "unknown label 'servce' for spans (did you mean 'service'?)"],
  ['anomaly count(spans)', 9, 5, "expected '(' after 'anomaly'"],
  ['anomaly(anomaly(count(spans)[5m])[1h])[1d]', 9, 7, 'anomaly(...) cannot be nested'],
  ['anomaly(count(spans)[5m] > 3)[1d]', 26, 1, "expected ')' to close 'anomaly('"],
  ['anomaly(p95(duration_ms)[5m])', 30, 1, "expected '[' and a baseline period like [1d] after 'anomaly(...)'"],
  ['anomaly(p95(duration_ms)[5m])[15m] > 3', 31, 3, 'expected a baseline period of at least 20m (4× the 5m window)'],
  ['anomaly(count(spans)[5m])[1d] by (service)', 31, 2, "'by (...)' goes inside anomaly(...), after the inner window"],
  ['count(spans)[5m] BY (service)', 18, 2, "expected a comparison (>, >=, <, <=, == or !=) or the end of the expression; keywords are lowercase: 'by'"],
  ['count(spans)[5m] = 5', 18, 1, "use '==' for equality"],
  ['count(spans)[5m] >', 19, 1, "expected a number after '>'"],
  ['count(spans)[5m] > high', 20, 4, "expected a number after '>'"],
  ['count(spans)[5m] > 5d', 21, 1, "unknown unit 'd'; expected a plain number, a duration in ms, s, m or h (compared in milliseconds), or a percentage"],
  ['count(spans)[5m] > 1e999', 20, 5, 'expected a finite number'],
  ['count(spans)[5m] > 5 and 6', 22, 3, 'expected the end of the expression after the threshold'],
];

describe('parseExpr rejects', () => {
  it.each(INVALID)('%j at column %i (%i long): %s', (text, column, length, message) => {
    const error = catchExprError(text);
    expect(error.message).toContain(message);
    expect([error.column, error.length]).toEqual([column, length]);
  });

  it('counts lines and columns from 1 in a multi-line expression', () => {
    const error = catchExprError('count(spans)\n  [5m] > 3 x');
    expect([error.line, error.column, error.offset]).toEqual([2, 12, 24]);
  });
});

function catchExprError(text: string): ExprError {
  try {
    parseExpr(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ExprError);
    return error as ExprError;
  }
  throw new Error(`parsed ${JSON.stringify(text)}`);
}

describe('ExprError.format', () => {
  it('puts a caret under the column, then the reason', () => {
    expect(catchExprError('p95(duration_ms{service="rag")[5m] > 3000').format()).toBe(
      ['p95(duration_ms{service="rag")[5m] > 3000', "                             ^ expected ',' or '}' after a matcher"].join('\n'),
    );
  });

  it('underlines the whole token at fault, past the end for a missing one', () => {
    expect(catchExprError('count(logs{text=~"("})[5m]').format()).toBe(
      'count(logs{text=~"("})[5m]\n                 ^^^ expected a valid regular expression: missing closing ): `(`',
    );
    expect(catchExprError('count(spans)[5m] >  ').format()).toBe("count(spans)[5m] >  \n                  ^ expected a number after '>'");
  });

  it('shows only the faulty line and keeps tabs so the caret lines up', () => {
    expect(catchExprError('count(spans)[5m]\n\t>\tx').format()).toBe("\t>\tx\n\t \t^ expected a number after '>'");
  });
});

describe('formatExpr', () => {
  it.each(VALID.map(([text]) => text))('prints %j so that it parses back to the same tree', (text) => {
    const expr = parseExpr(text);
    expect(withoutPos(parseExpr(formatExpr(expr)))).toEqual(withoutPos(expr));
  });

  it.each([
    ['p95(duration_ms{service="rag"})[5m] by (name) > 3s', 'p95(duration_ms{service="rag"})[5m] by (name) > 3000'],
    ['  p50 ( duration_ms { kind = "client", } ) [ 300s ]\n\tby ( name )\n> 5%', 'p50(duration_ms{kind="client"})[5m] by (name) > 0.05'],
    ['count(spans{})[120m]', 'count(spans)[2h]'],
    ['count(spans)[1.5h]', 'count(spans)[90m]'],
    ['count(spans)[14d]', 'count(spans)[2w]'],
    ['count(spans)[1500ms]', 'count(spans)[1500ms]'],
    ["last('spans')[1m]", 'last("spans")[1m]'],
    ['last("queue_depth")[1m]', 'last(queue_depth)[1m]'],
    ['last("duraton_ms")[1m]', 'last("duraton_ms")[1m]'],
    ["count(spans{'tenant'='a\"b\\\\c\\n'})[1m] by (\"service\")", 'count(spans{"tenant"="a\\"b\\\\c\\n"})[1m] by (service)'],
    ['anomaly(p95(duration_ms)[5m])[1d] > 3', 'anomaly(p95(duration_ms)[5m])[1d] > 3'],
  ])('prints %j canonically as %j', (text, canonical) => {
    expect(formatExpr(parseExpr(text))).toBe(canonical);
  });
});

describe('EXPR_REFERENCE', () => {
  it('names every source, function and built-in label', () => {
    const names = [...Object.values(SOURCE_NAMES), ...ALL_FUNCTIONS, ...Object.values(LABELS).flatMap((labels) => labels ?? []), 'anomaly', 'by'];
    expect(names.filter((name) => !EXPR_REFERENCE.includes(`\`${name}\``))).toEqual([]);
  });

  it('is in docs/alerting.md word for word', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../../../docs/alerting.md', import.meta.url)), 'utf8');
    expect(readme).toContain(EXPR_REFERENCE.trimEnd());
  });
});
